package discord

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"
)

// FuzzVerifySignature: a request passes only with a valid Ed25519
// signature of its own timestamp and body by the key, within five
// minutes of now.
func FuzzVerifySignature(f *testing.F) {
	seed := bytes.Repeat([]byte{7}, ed25519.SeedSize)
	priv := ed25519.NewKeyFromSeed(seed)
	pub := priv.Public().(ed25519.PublicKey)
	now := time.Unix(1700000000, 0)
	sign := func(ts string, body []byte) string {
		return hex.EncodeToString(ed25519.Sign(priv, append([]byte(ts), body...)))
	}
	f.Add(sign("1700000000", []byte(`{"type":1}`)), "1700000000", []byte(`{"type":1}`))
	f.Add(sign("1700000000", []byte(`{"type":1}`)), "1700000000", []byte(`{"type":2}`))
	f.Add(sign("1699990000", nil), "1699990000", []byte(nil))
	f.Add("zz", "", []byte("x"))
	f.Fuzz(func(t *testing.T, sig, ts string, body []byte) {
		if verifySignature(pub, sig, ts, body, now) != nil {
			return
		}
		raw, err := hex.DecodeString(sig)
		if err != nil || !ed25519.Verify(pub, append([]byte(ts), body...), raw) {
			t.Fatalf("accepted a bad signature %q for ts %q", sig, ts)
		}
		sec, err := strconv.ParseInt(ts, 10, 64)
		if err != nil || now.Sub(time.Unix(sec, 0)).Abs() > signatureWindow {
			t.Fatalf("accepted timestamp %q", ts)
		}
	})
}

// FuzzInteractions posts well-signed bodies of any shape to the
// interactions endpoint: each is answered 200 or 400, never 5xx, never a
// panic.
func FuzzInteractions(f *testing.F) {
	e := newEnv(f, func(o *Options) { o.Budget = 50 * time.Millisecond })
	mux := http.NewServeMux()
	e.adapter.Mount(mux.Handle)
	f.Add([]byte(`{"type":1,"id":"1","application_id":"app1","token":"t"}`))
	f.Add([]byte(`{"type":2,"id":"2","application_id":"app1","token":"t","member":{"user":{"id":"100"}},"data":{"name":"mystats","type":1,"options":[{"name":"period","type":3,"value":"2026-11"}]}}`))
	f.Add([]byte(`{"type":2,"id":"3","member":{"user":{"id":"900"}},"data":{"name":"partner","options":[{"name":"id","type":3,"value":"apteka"}]}}`))
	f.Add([]byte(`{"type":3,"id":"4","user":{"id":"100"},"data":{"custom_id":"mystats.share:2026-11","component_type":2}}`))
	f.Add([]byte(`{"type":4,"id":"5","data":{}}`))
	f.Add([]byte(`{"type":2,"data":{"options":[{"value":[1,{"a":null}]}]}}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		sig, ts := e.sign(body)
		req := httptest.NewRequest(http.MethodPost, "/discord/interactions", bytes.NewReader(body))
		req.Header.Set("X-Signature-Ed25519", sig)
		req.Header.Set("X-Signature-Timestamp", ts)
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK && rec.Code != http.StatusBadRequest {
			t.Fatalf("%q: status %d %s", body, rec.Code, rec.Body)
		}
	})
	e.adapter.inflight.wait(0)
}
