package hooks

import (
	"encoding/json"

	"partnerbot/bot"
)

// decodeBody reads a delivery's JSON body into v; what names what the
// body should be ("a Dub webhook"). Returns EINVALID.
func decodeBody(body []byte, v any, what string) error {
	if err := json.Unmarshal(body, v); err != nil {
		return bot.Errorf(bot.EINVALID, "not %s: %v", what, err)
	}
	return nil
}

// decodeObject reads the object an event of type typ carries into v.
// Returns EINVALID naming the platform and the event type.
func decodeObject(raw json.RawMessage, v any, platform, typ string) error {
	if err := json.Unmarshal(raw, v); err != nil {
		return bot.Errorf(bot.EINVALID, "%s %s: %v", platform, typ, err)
	}
	return nil
}
