package localcloud

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/vlicense/fc-vehicle-license/tools/localcloud/ocrserver"
)

func TestRulesSteerByFileName(t *testing.T) {
	rules := Rules(3)
	cases := []struct {
		name, imagePath string
		attempt         int
		want            ocrserver.Reply
	}{
		{name: "ordinary name succeeds", imagePath: "/b/uploads/car.jpg", attempt: 1, want: ocrserver.Success()},
		{name: "reject is refused by the vendor", imagePath: "/b/uploads/reject-me.jpg", attempt: 1, want: ocrserver.BusinessError(ocrserver.CodeIllegalParam, ocrserver.MsgIllegalParam)},
		{name: "reject is refused every time, any case", imagePath: "/b/uploads/REJECT.jpg", attempt: 5, want: ocrserver.BusinessError(ocrserver.CodeIllegalParam, ocrserver.MsgIllegalParam)},
		{name: "flaky fails every in-process attempt of the first invocation", imagePath: "/b/uploads/Flaky.jpg", attempt: 3, want: ocrserver.HTTPStatus(http.StatusServiceUnavailable)},
		{name: "flaky succeeds on FC's retry", imagePath: "/b/uploads/flaky.jpg", attempt: 4, want: ocrserver.Success()},
		{name: "slow answers after SlowDelay", imagePath: "/b/uploads/slow.jpg", attempt: 1, want: ocrserver.Success().After(SlowDelay)},
		{name: "misconfigured is refused like a wrong AppCode", imagePath: "/b/uploads/misconfigured.jpg", attempt: 1, want: ocrserver.HTTPStatus(http.StatusUnauthorized)},
		{name: "only the file name counts", imagePath: "/b/reject/car.jpg", attempt: 1, want: ocrserver.Success()},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, rules(ocrserver.Request{ImagePath: tc.imagePath, Attempt: tc.attempt}))
		})
	}
}
