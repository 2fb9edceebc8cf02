package bot

import (
	"encoding/json"
	"testing"
)

// Outbox items stored before the JSON names were snake_case used the Go
// names; they must still read back.
func TestTarget_ReadsOldGoNames(t *testing.T) {
	var it struct {
		Target  Target  `json:"target"`
		Message Message `json:"message"`
	}
	old := `{"target":{"Platform":"slack","Channel":"C1","User":""},"message":{"Title":"Hi","Buttons":[{"Action":"ack","Label":"OK"}],"Private":true}}`
	if err := json.Unmarshal([]byte(old), &it); err != nil {
		t.Fatal(err)
	}
	if it.Target.Platform != "slack" || it.Target.Channel != "C1" || it.Message.Title != "Hi" ||
		len(it.Message.Buttons) != 1 || it.Message.Buttons[0].Action != "ack" || !it.Message.Private {
		t.Fatalf("old item read as %+v", it)
	}
}
