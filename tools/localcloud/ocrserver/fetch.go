package ocrserver

import (
	"context"
	"fmt"
	"io"
	"net/http"
)

// fetchImage downloads imgURL the way the vendor does from the internet: a
// plain GET with no credentials of ours, so only a URL that OSS accepts on
// its own (a valid, unexpired signature) yields the image. Any status but
// 200 is a download failure. The outcome is noted in call; on failure the
// vendor's business error is returned.
func fetchImage(ctx context.Context, client *http.Client, imgURL string, call *Call) ([]byte, *Reply) {
	downloadFailed := func(err error) ([]byte, *Reply) {
		call.FetchError = err.Error()
		return nil, ptr(BusinessError(CodeDownloadFailed, MsgDownloadFailed))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, imgURL, nil)
	if err != nil {
		return downloadFailed(err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return downloadFailed(err)
	}
	defer resp.Body.Close()
	call.FetchStatus = resp.StatusCode
	if resp.StatusCode != http.StatusOK {
		// Drain a little so the connection can be reused; the body (an
		// OSS XML error) is not the vendor's business.
		_, _ = io.CopyN(io.Discard, resp.Body, 64<<10)
		return downloadFailed(fmt.Errorf("image host answered %s", resp.Status))
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxImageBytes+1))
	call.FetchedBytes = len(b)
	if err != nil {
		return downloadFailed(fmt.Errorf("reading the image: %w", err))
	}
	if len(b) > MaxImageBytes {
		return nil, ptr(BusinessError(CodeImageTooLarge, MsgImageTooLarge))
	}
	return b, nil
}
