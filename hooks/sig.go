package hooks

import (
	"crypto/hmac"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strings"
)

// verifyHex checks a header holding the hex HMAC-SHA256 of the raw body
// (Dub, Rewardful).
func verifyHex(header, secret string, h http.Header, body []byte) error {
	got := strings.TrimSpace(h.Get(header))
	if got == "" {
		return errUnsigned
	}
	sig, err := hex.DecodeString(got)
	if err != nil || !hmac.Equal(sig, hmacSHA256([]byte(secret), body)) {
		return errBadSignature
	}
	return nil
}

// verifyBase64 checks a header holding the base64 HMAC-SHA256 of the raw
// body (Shopify).
func verifyBase64(header, secret string, h http.Header, body []byte) error {
	got := strings.TrimSpace(h.Get(header))
	if got == "" {
		return errUnsigned
	}
	sig, err := base64.StdEncoding.Strict().DecodeString(got)
	if err != nil || !hmac.Equal(sig, hmacSHA256([]byte(secret), body)) {
		return errBadSignature
	}
	return nil
}
