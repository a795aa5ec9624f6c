package ocrserver

// Business error codes and messages the stand-in answers on its own (HTTP
// 400, body status 400). The contract documents only 1009; the others are
// the stand-in's own numbering for failures the real vendor surely reports
// but does not document. Clients should key on the HTTP and body status,
// not on these numbers.
const (
	// CodeIllegalParam: no image given, an unknown cardSide, undecodable
	// imgBase64 or a body that is not multipart/form-data. Documented.
	CodeIllegalParam = 1009
	// CodeDownloadFailed: imgUrl could not be fetched or did not answer 200,
	// e.g. OSS refused an expired or tampered signature. Stand-in's own.
	CodeDownloadFailed = 1101
	// CodeBadImageFormat: the image is not JPEG, PNG or BMP. Stand-in's own.
	CodeBadImageFormat = 1102
	// CodeImageTooLarge: the fetched image exceeds MaxImageBytes.
	// Stand-in's own.
	CodeImageTooLarge = 1103
)

// Messages that go with the codes above.
const (
	MsgIllegalParam   = "存在非法参数"
	MsgDownloadFailed = "图片下载失败"
	MsgBadImageFormat = "图片格式错误"
	MsgImageTooLarge  = "图片大小超过限制"
)

// Size limits. The 2 MB request limit is the contract's (answered 413); the
// image limit for imgUrl is the stand-in's own guard against reading
// without bound.
const (
	MaxRequestBytes = 2 << 20
	MaxImageBytes   = 10 << 20
)
