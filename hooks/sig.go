package hooks

import (
	"crypto/hmac"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strings"
	"time"
)

// verifyFunc checks the signature (and timestamp) of a body; see
// connector.verify.
type verifyFunc func(secret string, h http.Header, body []byte, now time.Time) error

// hexHMAC verifies a header holding the hex HMAC-SHA256 of the raw body
// (Dub, Rewardful).
func hexHMAC(header string) verifyFunc {
	return headerHMAC(header, hex.DecodeString)
}

// base64HMAC verifies a header holding the base64 HMAC-SHA256 of the raw
// body (Shopify).
func base64HMAC(header string) verifyFunc {
	return headerHMAC(header, base64.StdEncoding.Strict().DecodeString)
}

// headerHMAC verifies a header holding the HMAC-SHA256 of the raw body
// keyed with the secret, in the encoding decode reads; no timestamp.
func headerHMAC(header string, decode func(string) ([]byte, error)) verifyFunc {
	return func(secret string, h http.Header, body []byte, _ time.Time) error {
		got := strings.TrimSpace(h.Get(header))
		if got == "" {
			return errUnsigned
		}
		sig, err := decode(got)
		if err != nil || !hmac.Equal(sig, hmacSHA256([]byte(secret), body)) {
			return errBadSignature
		}
		return nil
	}
}

// anyHMAC reports whether one of sigs is the HMAC-SHA256 of parts keyed
// with key (Stripe and Svix allow several while a secret is rolled).
func anyHMAC(sigs [][]byte, key []byte, parts ...[]byte) bool {
	want := hmacSHA256(key, parts...)
	for _, s := range sigs {
		if hmac.Equal(s, want) {
			return true
		}
	}
	return false
}

// fresh returns errStale when the unix time sec is further than the
// tolerance from now.
func fresh(sec int64, now time.Time) error {
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return errStale
	}
	return nil
}
