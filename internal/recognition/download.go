package recognition

import "strings"

// downloadFailureWordings are the vendor's ways of saying that it could not
// fetch imgUrl, lower-case. The manual documents none of them (its business
// errors carry free text), so this list holds the phrasings Marketplace
// OCR vendors use for it; extend it when a vendor words it differently.
// Such a refusal is not the image's fault: the URL handed over was
// unreachable from the internet or not allowed to read the object.
var downloadFailureWordings = []string{
	"图片下载失败",
	"下载图片失败",
	"图片下载异常",
	"图片下载超时",
	"获取图片失败",
	"图片获取失败",
	"图片地址无法访问",
	"图片url无法访问",
	"无法下载图片",
	"图片无法下载",
	"download image",
	"image download",
	"failed to download",
	"download failed",
}

// isDownloadFailure reports whether a vendor message says the image could
// not be downloaded.
func isDownloadFailure(message string) bool {
	m := strings.ToLower(message)
	for _, w := range downloadFailureWordings {
		if strings.Contains(m, w) {
			return true
		}
	}
	return false
}

// downloadFailureReason names the likely causes, most likely first. A
// signed URL can do only what its signer may, hence the role's actions.
const downloadFailureReason = "the vendor could not download the image: check OSS_PUBLIC_ENDPOINT (must be the bucket's " +
	"public endpoint), the role's oss:GetObject (oss:GetObjectVersion if versioned, kms:Decrypt if KMS-encrypted) " +
	"and any bucket policy that limits reads"
