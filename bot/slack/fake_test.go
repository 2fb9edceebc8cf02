package slack

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	slackapi "github.com/slack-go/slack"
	"github.com/slack-go/slack/slacktest"
)

// fakeSlack is slacktest's server with the Web API methods the adapter
// uses and slacktest lacks, recording what was posted.
type fakeSlack struct {
	srv *slacktest.Server

	mu      sync.Mutex
	calls   []string // method names, in order
	posts   []post
	opened  []string // users whose DM was opened
	uploads []upload
	views   []view
	modals  []string // views.open bodies
	seq     int

	// ws, if set, serves a Socket Mode connection; set it with onSocket.
	ws func(c *websocket.Conn)

	// postHook, if set, answers chat.postMessage instead of the fake;
	// set it with onPost.
	postHook func(w http.ResponseWriter, r *http.Request) bool
	// failAfterPost is how many of the next posts are stored and then
	// answered 500, as a Slack hiccup after posting does; failAfterUpload
	// the same for completed uploads.
	failAfterPost, failAfterUpload int
	shares                         []share // files shared in channels, for history
}

// share is a file message in a channel's history.
type share struct {
	Channel, TS, Name string
}

type post struct {
	Channel  string
	Text     string
	Blocks   string // raw JSON
	Metadata slackapi.SlackMetadata
	TS       string
}

type upload struct {
	ID       string // the file id getUploadURLExternal gave
	Filename string
	Size     int
	Data     []byte
	Channel  string
	Title    string
}

type view struct {
	UserID string
	Raw    string
}

func newFakeSlack(t testing.TB) *fakeSlack {
	t.Helper()
	f := &fakeSlack{}
	f.srv = slacktest.NewTestServer(func(c slacktest.Customize) {
		c.Handle("/chat.postMessage", f.postMessage)
		c.Handle("/conversations.open", f.conversationsOpen)
		c.Handle("/files.getUploadURLExternal", f.getUploadURL)
		c.Handle("/upload/", f.uploadBytes)
		c.Handle("/files.completeUploadExternal", f.completeUpload)
		c.Handle("/views.publish", f.viewsPublish)
		c.Handle("/views.open", f.viewsOpen)
		c.Handle("/conversations.history", f.history)
		c.Handle("/ws", slacktest.Websocket(f.socket))
	})
	f.srv.Start()
	t.Cleanup(f.srv.Stop)
	return f
}

func (f *fakeSlack) URL() string { return f.srv.GetAPIURL() }

func (f *fakeSlack) note(method string) {
	f.mu.Lock()
	f.calls = append(f.calls, method)
	f.mu.Unlock()
}

// Calls returns how many Web API calls the fake has seen.
func (f *fakeSlack) Calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

func (f *fakeSlack) Posts() []post {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]post(nil), f.posts...)
}

func (f *fakeSlack) Uploads() []upload {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]upload(nil), f.uploads...)
}

func (f *fakeSlack) Views() []view {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]view(nil), f.views...)
}

func (f *fakeSlack) Opened() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.opened...)
}

func form(t *http.Request) url.Values {
	b, _ := io.ReadAll(t.Body)
	v, _ := url.ParseQuery(string(b))
	return v
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

func (f *fakeSlack) postMessage(w http.ResponseWriter, r *http.Request) {
	f.note("chat.postMessage")
	f.mu.Lock()
	hook := f.postHook
	f.mu.Unlock()
	if hook != nil && hook(w, r) {
		return
	}
	v := form(r)
	p := post{Channel: v.Get("channel"), Text: v.Get("text"), Blocks: v.Get("blocks")}
	if md := v.Get("metadata"); md != "" {
		json.Unmarshal([]byte(md), &p.Metadata)
	}
	f.mu.Lock()
	f.seq++
	p.TS = fmt.Sprintf("1700000000.%06d", f.seq)
	f.posts = append(f.posts, p)
	fail := f.failAfterPost > 0
	if fail {
		f.failAfterPost--
	}
	f.mu.Unlock()
	if fail {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	writeJSON(w, map[string]any{"ok": true, "channel": p.Channel, "ts": p.TS})
}

func (f *fakeSlack) conversationsOpen(w http.ResponseWriter, r *http.Request) {
	f.note("conversations.open")
	users := form(r).Get("users")
	if users == "" || strings.Contains(users, ",") {
		writeJSON(w, map[string]any{"ok": false, "error": "invalid_arguments"})
		return
	}
	if users == "UGONE" {
		writeJSON(w, map[string]any{"ok": false, "error": "user_not_found"})
		return
	}
	f.mu.Lock()
	f.opened = append(f.opened, users)
	f.mu.Unlock()
	writeJSON(w, map[string]any{"ok": true, "channel": map[string]any{"id": "D" + users}})
}

func (f *fakeSlack) getUploadURL(w http.ResponseWriter, r *http.Request) {
	f.note("files.getUploadURLExternal")
	v := form(r)
	f.mu.Lock()
	f.seq++
	id := fmt.Sprintf("F%d", f.seq)
	f.uploads = append(f.uploads, upload{ID: id, Filename: v.Get("filename"), Size: atoi(v.Get("length"))})
	f.mu.Unlock()
	writeJSON(w, map[string]any{"ok": true, "upload_url": f.URL() + "upload/" + id, "file_id": id})
}

func (f *fakeSlack) uploadBytes(w http.ResponseWriter, r *http.Request) {
	f.note("upload")
	file, _, err := r.FormFile("file")
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	data, _ := io.ReadAll(file)
	id := strings.TrimPrefix(r.URL.Path, "/upload/")
	f.mu.Lock()
	// Uploads may run concurrently (the outbox sends several at once):
	// match by file id, not by order.
	for i := range f.uploads {
		if f.uploads[i].ID == id {
			f.uploads[i].Data = data
		}
	}
	f.mu.Unlock()
	w.Write([]byte("OK - " + fmt.Sprint(len(data))))
}

func (f *fakeSlack) completeUpload(w http.ResponseWriter, r *http.Request) {
	f.note("files.completeUploadExternal")
	v := form(r)
	var files []slackapi.FileSummary
	json.Unmarshal([]byte(v.Get("files")), &files)
	f.mu.Lock()
	for _, fs := range files {
		name := ""
		for i := range f.uploads {
			if f.uploads[i].ID == fs.ID {
				f.uploads[i].Channel, f.uploads[i].Title = v.Get("channel_id"), fs.Title
				name = f.uploads[i].Filename
			}
		}
		f.seq++
		f.shares = append(f.shares, share{Channel: v.Get("channel_id"), TS: fmt.Sprintf("1700000000.%06d", f.seq), Name: name})
	}
	fail := f.failAfterUpload > 0
	if fail {
		f.failAfterUpload--
	}
	f.mu.Unlock()
	if fail {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	writeJSON(w, map[string]any{"ok": true, "files": files})
}

func (f *fakeSlack) viewsPublish(w http.ResponseWriter, r *http.Request) {
	f.note("views.publish")
	b, _ := io.ReadAll(r.Body)
	var req struct {
		UserID string `json:"user_id"`
	}
	json.Unmarshal(b, &req)
	f.mu.Lock()
	f.views = append(f.views, view{UserID: req.UserID, Raw: string(b)})
	f.mu.Unlock()
	writeJSON(w, map[string]any{"ok": true, "view": map[string]any{"id": "V1"}})
}

func (f *fakeSlack) viewsOpen(w http.ResponseWriter, r *http.Request) {
	f.note("views.open")
	b, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.modals = append(f.modals, string(b))
	f.mu.Unlock()
	writeJSON(w, map[string]any{"ok": true, "view": map[string]any{"id": "VM1"}})
}

// Modals returns the bodies of views.open calls.
func (f *fakeSlack) Modals() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.modals...)
}

// history answers conversations.history from what was posted, newest
// first, with metadata only when asked for it, as Slack does.
func (f *fakeSlack) history(w http.ResponseWriter, r *http.Request) {
	f.note("conversations.history")
	v := form(r)
	var msgs []map[string]any
	f.mu.Lock()
	for i := len(f.posts) - 1; i >= 0; i-- {
		p := f.posts[i]
		if p.Channel != v.Get("channel") || p.TS < v.Get("oldest") {
			continue
		}
		m := map[string]any{"type": "message", "ts": p.TS, "text": p.Text}
		if v.Get("include_all_metadata") == "1" && p.Metadata.EventType != "" {
			m["metadata"] = p.Metadata
		}
		msgs = append(msgs, m)
	}
	for _, sh := range f.shares {
		if sh.Channel == v.Get("channel") && sh.TS > v.Get("oldest") {
			msgs = append(msgs, map[string]any{"type": "message", "ts": sh.TS, "files": []map[string]any{{"id": "F" + sh.TS, "name": sh.Name}}})
		}
	}
	f.mu.Unlock()
	writeJSON(w, map[string]any{"ok": true, "messages": msgs, "has_more": false})
}

func atoi(s string) int {
	var n int
	fmt.Sscan(s, &n)
	return n
}

// waitFor polls cond until it holds or a few seconds pass.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// onPost sets the chat.postMessage override; nil restores the fake.
func (f *fakeSlack) onPost(hook func(w http.ResponseWriter, r *http.Request) bool) {
	f.mu.Lock()
	f.postHook = hook
	f.mu.Unlock()
}

// onSocket sets what serves each Socket Mode connection.
func (f *fakeSlack) onSocket(serve func(c *websocket.Conn)) {
	f.mu.Lock()
	f.ws = serve
	f.mu.Unlock()
}

func (f *fakeSlack) socket(c *websocket.Conn) {
	f.mu.Lock()
	serve := f.ws
	f.mu.Unlock()
	if serve != nil {
		serve(c)
	}
}
