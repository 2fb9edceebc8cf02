package ingest_test

import (
	"strings"
	"testing"

	"partnerbot/bot"
	"partnerbot/ingest"
)

func TestParsePartners(t *testing.T) {
	t.Run("CSV", func(t *testing.T) {
		in := "id,name,manager,external_ids,coupons,tags\n" +
			"janko,Sklep u Janka,kasia,dub=pn_1;tolt=part_2,JANKO10;LATO,retail\n" +
			"\"ola\",\"Ola, kwiaty\",,,,\n"
		ps, lines, err := ingest.ParsePartners(strings.NewReader(in))
		if err != nil {
			t.Fatal(err)
		}
		if len(ps) != 2 || lines[0] != 2 || lines[1] != 3 {
			t.Fatalf("got %d partners on lines %v", len(ps), lines)
		}
		if ps[0].ExternalIDs["dub"] != "pn_1" || ps[0].ExternalIDs["tolt"] != "part_2" || len(ps[0].Coupons) != 2 || ps[1].Name != "Ola, kwiaty" {
			t.Fatalf("parsed %+v", ps)
		}
	})
	t.Run("NDJSON", func(t *testing.T) {
		in := `{"id":"janko","name":"Sklep u Janka","external_ids":{"dub":"pn_1"},"coupons":["JANKO10"]}` + "\n\n" +
			`{"id":"ola","name":"Ola"}` + "\n"
		ps, lines, err := ingest.ParsePartners(strings.NewReader(in))
		if err != nil || len(ps) != 2 || lines[1] != 3 || ps[0].ExternalIDs["dub"] != "pn_1" {
			t.Fatalf("ParsePartners = %+v, %v, %v", ps, lines, err)
		}
	})
	for _, c := range []struct {
		name, in string
		line     int
		field    string
	}{
		{"unknown column", "id,name,colour\njanko,J,red\n", 1, "colour"},
		{"bad external ids", "id,name,external_ids\njanko,J,dub\n", 2, "external_ids"},
		{"bad date", "id,name,joined\njanko,J,2025-13-01\n", 2, "joined"},
		{"unknown JSON field", `{"id":"janko","name":"J"}` + "\n" + `{"id":"ola","nmae":"O"}` + "\n", 2, "nmae"},
		{"wrong JSON type", `{"id":"janko","coupons":"JANKO10"}` + "\n", 1, "coupons"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := ingest.ParsePartners(strings.NewReader(c.in))
			be := bot.AsError(err)
			if be == nil || be.Line != c.line || be.Field != c.field {
				t.Fatalf("error = %v, want line %d field %q", err, c.line, c.field)
			}
		})
	}
}

func FuzzParsePartners(f *testing.F) {
	f.Add("id,name,external_ids,coupons\njanko,J,dub=pn_1,JANKO10\n")
	f.Add(`{"id":"janko","name":"J","external_ids":{"dub":"pn_1"}}` + "\n")
	f.Add("\n\n")
	f.Fuzz(func(t *testing.T, in string) {
		ps, lines, err := ingest.ParsePartners(strings.NewReader(in))
		if err == nil && (len(ps) == 0 || len(ps) != len(lines)) {
			t.Fatalf("%d partners, %d lines, no error", len(ps), len(lines))
		}
	})
}
