package ossserver_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/vlicense/fc-vehicle-license/tools/localcloud/ossserver"
)

// The function writes through the internal endpoint and gives a third party
// a URL signed against the public one; both listeners share the store.
func Example() {
	srv := ossserver.New(ossserver.Config{Region: "cn-hangzhou"})
	defer srv.Close()
	internal, _ := srv.Listen("internal", "127.0.0.1:0")
	public, _ := srv.Listen("public", "127.0.0.1:0")
	srv.AllowCredentials(ossserver.Credentials{AccessKeyID: "STS.id", AccessKeySecret: "secret", SecurityToken: "token"})
	srv.CreateBucket("images")

	open := func(endpoint string) *oss.Bucket {
		client, _ := oss.New(endpoint, "STS.id", "secret", oss.SecurityToken("token"),
			oss.AuthVersion(oss.AuthV4), oss.Region("cn-hangzhou"))
		b, _ := client.Bucket("images")
		return b
	}
	if err := open(internal).PutObject("行驶证/a.jpg", strings.NewReader("jpeg")); err != nil {
		fmt.Println(err)
		return
	}
	signed, _ := open(public).SignURL("行驶证/a.jpg", oss.HTTPGet, 300)
	resp, err := http.Get(signed)
	if err != nil {
		fmt.Println(err)
		return
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, string(body))

	for _, r := range srv.Requests() {
		fmt.Println(r.Listener, r.Method, r.Key, r.Auth, r.Status)
	}
	// Output:
	// 200 jpeg
	// internal PUT 行驶证/a.jpg header-v4 200
	// public GET 行驶证/a.jpg url-v4 200
}
