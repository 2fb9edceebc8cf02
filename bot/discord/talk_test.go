package discord

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"partnerbot/commands"
	"partnerbot/store"
)

// TestConversation is a partner's DM, heard over the gateway without the
// privileged MESSAGE_CONTENT intent: it goes to the manager with a Reply
// button, the partner hears where it went, Reply opens a modal, and the
// submitted answer is queued for the partner.
func TestConversation(t *testing.T) {
	e := newEnv(t)
	if intents := e.adapter.session.Identify.Intents; intents&discordgo.IntentMessageContent != 0 || intents&discordgo.IntentDirectMessages == 0 {
		t.Fatalf("intents %b: want direct messages without the privileged message content", intents)
	}
	e.adapter.onMessage(nil, &discordgo.MessageCreate{Message: &discordgo.Message{ID: "m1", ChannelID: "dm-janko",
		Content: "Czy mogę prosić o nowe naklejki?", Type: discordgo.MessageTypeDefault,
		Author: &discordgo.User{ID: userJanko, Username: "janko"}}})
	var answered bool
	for _, r := range e.api.requests() {
		if r.Method == "POST" && r.Path == "/channels/dm-janko/messages" && strings.Contains(string(r.Body), "Przekazano") {
			answered = true
		}
	}
	if !answered {
		t.Errorf("the partner heard nothing back: %v", paths(e.api.requests()))
	}
	its, _ := e.store.OutboxItems(context.Background(), func(it *store.OutboxItem) bool { return it.Kind == commands.KindRelayIn })
	if len(its) != 1 || its[0].Target.User != userKasia || !strings.Contains(its[0].Message.Text, "nowe naklejki") {
		t.Fatalf("relayed %+v, want one message to kasia with the words", its)
	}

	// Someone the bot does not know gets how to link, in the DM.
	e.adapter.onMessage(nil, &discordgo.MessageCreate{Message: &discordgo.Message{ID: "m2", ChannelID: "dm-nobody",
		Content: "hello", Type: discordgo.MessageTypeDefault, Author: &discordgo.User{ID: userNobody}}})
	var linked bool
	for _, r := range e.api.requests() {
		if r.Path == "/channels/dm-nobody/messages" && strings.Contains(string(r.Body), "/link") {
			linked = true
		}
	}
	if !linked {
		t.Errorf("a stranger's DM got no answer on how to link")
	}

	// Reply opens a modal; its submission queues the answer.
	r := e.interact(e.component(userKasia, commands.ActionReply+":janko"))
	if r.Type != int(discordgo.InteractionResponseModal) {
		t.Fatalf("Reply answered type %d, want a modal (9)", r.Type)
	}
	e.seq++
	submit := map[string]any{"id": "i-modal", "application_id": "app1", "type": 5, "token": "tok-modal",
		"guild_id": "g1", "channel_id": "c1", "locale": "pl", "version": 1,
		"member": map[string]any{"user": map[string]any{"id": userKasia, "username": "kasia"}},
		"data": map[string]any{"custom_id": commands.FormReply + ":janko", "components": []any{
			map[string]any{"type": 1, "components": []any{map[string]any{"type": 4, "custom_id": "text", "value": "Wyślę jutro."}}}}}}
	got := e.interact(submit)
	if b, _ := json.Marshal(got); !strings.Contains(string(b), "Janka") {
		t.Errorf("submission answered %s", b)
	}
	its, _ = e.store.OutboxItems(context.Background(), func(it *store.OutboxItem) bool { return it.Kind == commands.KindManagerMessage })
	if len(its) != 1 || its[0].Target.User != userJanko || its[0].Message.Text != "Wyślę jutro." {
		t.Errorf("answer queued %+v", its)
	}
}
