package failcnt_test

import (
	"bytes"
	"io"
	"strconv"
)

func itoa(v uint64) string           { return strconv.FormatUint(v, 10) }
func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }
