package slack

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode"
	"unicode/utf8"

	"partnerbot/bot"
	"partnerbot/commands"
)

// Manifest returns the Slack app manifest (YAML) for partnerbot with
// one slash command per Spec: English descriptions and usage hints from
// the registry, text passed through unescaped. It is set up for Socket
// Mode; the commented request URLs are what HTTP mode needs instead.
// slack-app-manifest.yaml at the repository root is its output.
func Manifest(specs []*commands.Spec) string {
	var b strings.Builder
	b.WriteString(`# Slack app manifest for partnerbot. Generated from the command registry
# by slack.Manifest; do not edit by hand (go test ./bot/slack -update).
#
# Create the app at https://api.slack.com/apps -> "From an app manifest".
# Socket Mode (SLACK_BOT_TOKEN + SLACK_APP_TOKEN) needs no public URL.
# For HTTP mode (SLACK_BOT_TOKEN + SLACK_SIGNING_SECRET) set
# socket_mode_enabled to false and uncomment the URLs, with your host.
_metadata:
  major_version: 1
  minor_version: 1
display_information:
  name: partnerbot
  description: Stats, referral links and reports for the partner program.
  background_color: "#1d4e89"
features:
  app_home:
    home_tab_enabled: true
    messages_tab_enabled: true
    messages_tab_read_only_enabled: false
  bot_user:
    display_name: partnerbot
    always_online: true
  slash_commands:
`)
	for _, sp := range specs {
		b.WriteString("    - command: /" + sp.Name + "\n")
		b.WriteString("      # url: https://bot.example.com/slack/commands\n")
		b.WriteString("      description: " + quote(cutPlain(sentence(sp.Help(bot.LocaleEN)), 2000)) + "\n")
		if hint := strings.TrimSpace(strings.TrimPrefix(sp.Usage(), "/"+sp.Name)); hint != "" {
			b.WriteString("      usage_hint: " + quote(hint) + "\n")
		}
		b.WriteString("      should_escape: false\n")
	}
	b.WriteString(`oauth_config:
  scopes:
    bot:
      - commands
      - chat:write
      - chat:write.public
      - im:write
      - im:history
      - channels:history
      - groups:history
      - files:write
settings:
  event_subscriptions:
    # request_url: https://bot.example.com/slack/events
    bot_events:
      - app_home_opened
      - message.channels
      - message.groups
      - message.im
  interactivity:
    is_enabled: true
    # request_url: https://bot.example.com/slack/interactions
  org_deploy_enabled: false
  socket_mode_enabled: true
  token_rotation_enabled: false
`)
	return b.String()
}

// quote writes s as a YAML double-quoted scalar (JSON's escapes are
// YAML's).
func quote(s string) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.Encode(s)
	return strings.TrimSuffix(buf.String(), "\n")
}

// sentence capitalizes the first letter of a help line.
func sentence(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}
