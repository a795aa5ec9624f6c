package ossserver

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRangeFor(t *testing.T) {
	whole := (*byteRange)(nil)
	cases := []struct {
		name     string
		header   string
		size     int64
		standard bool
		want     *byteRange
		wantErr  bool
	}{
		{name: "no Range", header: "", size: 10, want: whole},
		{name: "closed", header: "bytes=1-3", size: 10, want: &byteRange{1, 3}},
		{name: "unit is case-insensitive, spaces allowed", header: "Bytes= 1 - 3", size: 10, want: &byteRange{1, 3}},
		{name: "open", header: "bytes=4-", size: 10, want: &byteRange{4, 9}},
		{name: "suffix", header: "bytes=-2", size: 10, want: &byteRange{8, 9}},
		{name: "suffix of the whole size", header: "bytes=-10", size: 10, want: &byteRange{0, 9}},
		{name: "other unit ignored", header: "items=1-3", size: 10, want: whole},
		{name: "misspelt unit ignored", header: "byte=1-3", size: 10, want: whole},
		{name: "signed numbers ignored", header: "bytes=+1-3", size: 10, want: whole},
		{name: "no dash ignored", header: "bytes=5", size: 10, want: whole},
		{name: "empty set ignored", header: "bytes=", size: 10, want: whole},
		{name: "default: end past the object", header: "bytes=1-10", size: 10, want: whole},
		{name: "default: start past the object", header: "bytes=10-", size: 10, want: whole},
		{name: "default: zero suffix", header: "bytes=-0", size: 10, want: whole},
		{name: "default: empty object", header: "bytes=0-", size: 0, want: whole},
		{name: "default: first of several ranges", header: "bytes=1-2, 5-6", size: 10, want: &byteRange{1, 2}},
		{name: "standard: end clamped", header: "bytes=1-10", size: 10, standard: true, want: &byteRange{1, 9}},
		{name: "standard: start past the object", header: "bytes=10-", size: 10, standard: true, wantErr: true},
		{name: "standard: zero suffix", header: "bytes=-0", size: 10, standard: true, wantErr: true},
		{name: "standard: empty object", header: "bytes=0-", size: 0, standard: true, wantErr: true},
		{name: "standard: suffix of an empty object", header: "bytes=-1", size: 0, standard: true, wantErr: true},
		{name: "standard: several ranges", header: "bytes=1-2,5-6", size: 10, standard: true, wantErr: true},
		{name: "standard: invalid syntax still ignored", header: "bytes=3-1", size: 10, standard: true, want: whole},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := rangeFor(tc.header, tc.size, tc.standard)
			if tc.wantErr {
				assert.Equal(t, errInvalidRange, err)
				return
			}
			assert.Nil(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}
