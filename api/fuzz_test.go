package api_test

import (
	"net/http"
	"testing"
)

// FuzzJSONBodies sends any body to the API's JSON routes, authorized:
// partners, managers, promotions and events. Each answers a client error
// or success, never 5xx, never a panic; a refused events request stores
// nothing.
func FuzzJSONBodies(f *testing.F) {
	e := setup(f)
	routes := []struct{ method, path string }{
		{"PUT", "/api/v1/partners/fuzz"}, {"PUT", "/api/v1/managers/fuzz"}, {"PUT", "/api/v1/promos/fuzz"}, {"POST", "/api/v1/events"},
	}
	f.Add(uint8(0), `{"id":"fuzz","name":"Sklep","manager":"kasia","locale":"pl","joined":"2025-03-01","tags":["a"],"landing_url":"https://shop.example/"}`)
	f.Add(uint8(0), `{"name":"X","joined":"1899-01-01"}`)
	f.Add(uint8(0), `{"name":"X","slack_user":"U1","discord_user":"x"}`)
	f.Add(uint8(1), `{"name":"Kasia","escalation":"slack:C1","locale":"en"}`)
	f.Add(uint8(2), `{"title":"Black Week","start":"2026-11-23T00:00:00+01:00","end":"2026-11-30T00:00:00+01:00","segments":["A"]}`)
	f.Add(uint8(3), `[{"id":"o1","type":"sale","partner":"janko","at":"2026-11-16T10:15:00+01:00","amount":"129.99"}]`)
	f.Add(uint8(3), `{"id":"o2","type":"sale","partner":"janko","at":"2026-11-16T10:15:00+01:00","amount":1e400}`)
	f.Add(uint8(3), `[{"id":"o3"},]`)
	f.Add(uint8(0), `null`)
	f.Fuzz(func(t *testing.T, route uint8, body string) {
		e := *e
		e.t = t
		r := routes[int(route)%len(routes)]
		before := e.events()
		code, out := e.do(r.method, r.path, "application/json", body, true)
		if code >= 500 || code == 0 {
			t.Fatalf("%s %s %q: %d %v", r.method, r.path, body, code, out)
		}
		if r.path == "/api/v1/events" && code != http.StatusOK && e.events() != before {
			t.Fatalf("a refused request (%d) stored events", code)
		}
	})
}
