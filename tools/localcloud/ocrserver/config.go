package ocrserver

import (
	"net/http"
	"strings"
	"time"
)

// Defaults applied by New to the zero fields of Config.
const (
	DefaultPath         = "/vehicle-license"
	DefaultAddr         = "127.0.0.1:0"
	DefaultFetchTimeout = 10 * time.Second
)

// Config configures a Server. AppCode, or AppKey with AppSecret, is
// required.
type Config struct {
	// AppCode is the Marketplace AppCode the gateway accepts. Required
	// unless AppKey is set: a stand-in that let every caller in would hide
	// a handler that forgets to authenticate.
	AppCode string
	// AppKey and AppSecret, when set, are accepted through the gateway's
	// signature (see signature.go), next to AppCode if that is set too.
	AppKey, AppSecret string
	// Now is the gateway's clock for the signature's timestamp window and
	// nonce memory; nil means time.Now. Tests move it to play clock skew.
	Now func() time.Time
	// Path is the endpoint's path; DefaultPath when empty.
	Path string
	// Addr is the address Start listens on; DefaultAddr (a free loopback
	// port) when empty. The local demo may fix a port here.
	Addr string
	// Fetch is the client that downloads imgUrl. Nil means a plain client
	// with DefaultFetchTimeout, like the vendor's own downloader: no OSS
	// credentials, so only a correctly signed URL can succeed.
	Fetch *http.Client
	// Decide chooses the reply to each call that passed the gateway and
	// named an image. Nil means Success for every call. It may be called
	// concurrently.
	Decide func(Request) Reply
}

// Request is what Decide sees of one call.
type Request struct {
	// ImgURL is the imgUrl form field as received, signature included.
	ImgURL string
	// ImagePath is the decoded path of ImgURL without its query, e.g.
	// "/bucket/行驶证/a.jpg" for a path-style OSS URL. Empty when the image
	// came as file or imgBase64, or when ImgURL does not parse.
	ImagePath string
	// CardSide is FRONT or BACK, after defaulting.
	CardSide string
	// Source is the form field the image is taken from: "imgUrl", "file"
	// or "imgBase64", by the contract's priority.
	Source string
	// Attempt counts the calls for this ImagePath that reached Decide,
	// this one included: 1 on the first call. Retries of one image show up
	// as rising attempts because the query (the signature) is ignored.
	Attempt int
}

// Name returns the last element of ImagePath (the image's file name), or ""
// when there is no ImagePath.
func (r Request) Name() string {
	if r.ImagePath == "" {
		return ""
	}
	return r.ImagePath[strings.LastIndex(r.ImagePath, "/")+1:]
}

func (c Config) withDefaults() Config {
	if c.Path == "" {
		c.Path = DefaultPath
	}
	if !strings.HasPrefix(c.Path, "/") {
		c.Path = "/" + c.Path
	}
	if c.Addr == "" {
		c.Addr = DefaultAddr
	}
	if c.Fetch == nil {
		c.Fetch = &http.Client{Timeout: DefaultFetchTimeout}
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Decide == nil {
		c.Decide = func(Request) Reply { return Success() }
	}
	return c
}
