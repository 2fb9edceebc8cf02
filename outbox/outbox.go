// Package outbox delivers partnerbot's outgoing messages: every message
// is stored before it is sent, sent under per-channel and per-platform
// rate limits that stay below Slack's and Discord's, retried with backoff
// after temporary failures and 429s, given up with the reason after a
// permanent failure, and never posted twice in the ordinary case.
//
// "Never twice" rests on three things: an idempotency key per message
// (a second Enqueue with the key is a no-op), the "sending" mark written
// before the platform is called, and what each platform offers when the
// outcome is unknown: Discord deduplicates a repeated nonce, Slack has no
// key, so the dispatcher first asks Slack whether a post carrying the key
// exists (Checker) and sends only if not.
//
// An image is part of the same delivery. Where a platform posts it apart
// from the message (Slack: Attacher), the item records "posted" before
// the upload and "attached" after it, so a post found after an unknown
// outcome still gets its image, a failed upload is retried without
// reposting, and an upload whose answer was lost is looked for before
// it is tried again (AttachChecker). An image may be stored as a small
// spec (bot.ImageSpec: a chart's numbers and labels) and drawn just
// before sending by Options.Render.
package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"sync"
	"time"

	"partnerbot/bot"
	"partnerbot/store"
)

// Sender posts a message on one platform.
type Sender interface {
	Send(ctx context.Context, t bot.Target, m *bot.Message, key string) (ref string, err error)
}

// Checker tells whether a message with an idempotency key was posted to
// a target since a time: what a platform without idempotent posts (Slack)
// offers so an unknown outcome is resolved without a blind retry.
type Checker interface {
	Posted(ctx context.Context, t bot.Target, key string, since time.Time) (ref string, found bool, err error)
}

// Replier posts a message as a reply in the thread of an earlier post
// (parent is that post's ref): Slack's thread_ts, Discord's message
// reference. Errors are *bot.SendError, as Send's.
type Replier interface {
	SendReply(ctx context.Context, t bot.Target, parent string, m *bot.Message, key string) (ref string, err error)
}

// Updater replaces the content of an earlier post (ref) in place:
// Slack's chat.update, a Discord message edit. Errors are
// *bot.SendError; an update is idempotent, so every failure may be
// retried.
type Updater interface {
	Update(ctx context.Context, t bot.Target, ref string, m *bot.Message) error
}

// Attacher is a Sender that posts a message's image as a step of its
// own after the message (Slack uploads files apart from posts). The
// dispatcher then sends the message without its image, records it as
// posted, and calls Attach: once per item, also when the post was found
// by Checker after an unknown outcome, and never reposting the message
// when only the attachment has to be retried. ref is the posted
// message's platform id. Errors are *bot.SendError as for Send.
type Attacher interface {
	Attach(ctx context.Context, t bot.Target, ref string, img *bot.Image, key string) error
}

// AttachChecker is an Attacher that can tell whether an image was
// attached to the post ref: asked before uploading again after an upload
// whose outcome was unknown, so the image shows once.
type AttachChecker interface {
	Attached(ctx context.Context, t bot.Target, ref string, img *bot.Image) (bool, error)
}

// RenderFunc draws an image from its spec (bot.Image.Spec) into PNG
// bytes: how a chart stored in the outbox as its numbers becomes a
// picture at send time. An error is a permanent failure of the image,
// not of the message.
type RenderFunc func(ctx context.Context, spec *bot.ImageSpec) ([]byte, error)

// Store is the outbox's persistence.
type Store interface {
	Due(ctx context.Context, now time.Time, limit int) ([]store.OutboxItem, error)
	Sending(ctx context.Context) ([]store.OutboxItem, error)
	UpdateOutbox(ctx context.Context, id uint64, fn func(*store.OutboxItem)) (*store.OutboxItem, error)
	// OutboxByKey returns the item queued under key, or ENOTFOUND.
	OutboxByKey(ctx context.Context, key string) (*store.OutboxItem, error)
}

// parentWait is how long an item that threads under or updates an
// earlier one waits for that one to be posted.
const parentWait = 5 * time.Second

// Options configure a Dispatcher.
type Options struct {
	Store   Store
	Senders map[string]Sender // by platform: "slack", "discord", "console"
	Clock   bot.Clock
	Logger  *slog.Logger
	// ChannelInterval is the least time between two posts to one channel
	// or user: Slack allows about one message a second per channel.
	ChannelInterval time.Duration
	// PlatformRate is posts per second per platform (Discord allows 50
	// requests a second; we stay well under).
	PlatformRate float64
	// MaxAttempts before a temporary failure is given up.
	MaxAttempts int
	// Workers is how many sends may be in flight at once, each to a
	// different channel (8 when zero): over a real network one send at
	// a time would cap delivery at one per round trip, and at 100 ms a
	// round trip 45 posts a second need five in flight. More would let a
	// stall of the network deliver more posts at once than Slack's
	// burst of about ten.
	Workers int
	// OnOutcome, when set, hears every final outcome (metrics).
	OnOutcome func(it *store.OutboxItem)
	// Render draws images that carry a Spec instead of bytes; nil
	// leaves such an image out (logged) and sends the message alone.
	Render RenderFunc
	// OnSendError, when set, hears every failed attempt with the
	// platform's answer (metrics: 429s and errors by method).
	OnSendError func(platform string, se *bot.SendError)
}

// Dispatcher sends what the outbox holds.
type Dispatcher struct {
	opt Options

	mu          sync.Mutex
	lastByTgt   map[string]time.Time
	buckets     map[string]*bucket   // the platforms' send tokens
	pausedUntil map[string]time.Time // after a 429
	inflight    map[string]bool      // targets with a send in flight
	running     int
	errs        []error

	wg   sync.WaitGroup
	done chan struct{} // a send finished: something may be ready
}

// New returns a dispatcher.
func New(opt Options) *Dispatcher {
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if opt.ChannelInterval <= 0 {
		opt.ChannelInterval = time.Second
	}
	if opt.PlatformRate <= 0 {
		opt.PlatformRate = 20
	}
	if opt.MaxAttempts <= 0 {
		opt.MaxAttempts = 8
	}
	if opt.Workers <= 0 {
		opt.Workers = 8
	}
	return &Dispatcher{opt: opt, lastByTgt: map[string]time.Time{}, buckets: map[string]*bucket{}, pausedUntil: map[string]time.Time{},
		inflight: map[string]bool{}, done: make(chan struct{}, 1)}
}

// Backoff is the wait before attempt n+1 after n failed attempts: 30 s,
// 1 min, 2 min … capped at an hour.
func Backoff(n int) time.Duration {
	d := 30 * time.Second * time.Duration(math.Pow(2, float64(max(n-1, 0))))
	return min(d, time.Hour)
}

// Recover settles the items a stop left in "sending": the outcome of
// their last attempt is unknown, so they go back to pending marked
// unverified, to be checked before they are sent again.
func (d *Dispatcher) Recover(ctx context.Context) error {
	items, err := d.opt.Store.Sending(ctx)
	if err != nil {
		return fmt.Errorf("outbox recover: %w", err)
	}
	for _, it := range items {
		d.opt.Logger.Warn("outbox item was being sent at the last stop; it will be verified before any resend", "id", it.ID, "key", it.Key)
		if _, err := d.opt.Store.UpdateOutbox(ctx, it.ID, func(x *store.OutboxItem) {
			x.Status, x.Unverified = store.OutboxPending, true
		}); err != nil {
			return fmt.Errorf("outbox recover %d: %w", it.ID, err)
		}
	}
	return nil
}

func targetKey(t bot.Target) string { return t.String() }

// bucket paces a platform's posts: a token bucket refilled at
// PlatformRate, holding up to platformBurst tokens. Pacing by "one post,
// then wait 1/rate from now" loses every wake-up's lateness and falls
// well short of the rate; a bucket keeps the average at the rate and
// lets one wake-up send the few posts that came due meanwhile.
type bucket struct {
	tokens float64
	at     time.Time
	burst  float64
}

// platformBurst is the bucket's size in seconds of the rate, at least one
// post: a tenth of a second's posts (4.5 at 45/s), far below the burst a
// platform tolerates.
const platformBurst = 0.1

func (d *Dispatcher) bucket(p string) *bucket {
	b := d.buckets[p]
	if b == nil {
		burst := max(1, platformBurst*d.opt.PlatformRate)
		b = &bucket{tokens: 1, burst: burst}
		d.buckets[p] = b
	}
	return b
}

// ready refills the bucket to now and returns when a token is there.
func (b *bucket) ready(now time.Time, rate float64) time.Time {
	if b.at.IsZero() {
		b.at = now
	}
	if now.After(b.at) {
		b.tokens = min(b.burst, b.tokens+now.Sub(b.at).Seconds()*rate)
		b.at = now
	}
	if b.tokens >= 1 {
		return now
	}
	return b.at.Add(time.Duration((1 - b.tokens) / rate * float64(time.Second)))
}

func (b *bucket) take() { b.tokens-- }

// ready reports when the item may be sent under the rate limits.
func (d *Dispatcher) ready(it *store.OutboxItem, now time.Time) time.Time {
	at := d.platformReady(it.Target.Platform, now)
	if last, ok := d.lastByTgt[targetKey(it.Target)]; ok {
		if t := last.Add(d.opt.ChannelInterval); t.After(at) {
			at = t
		}
	}
	return at
}

// Step sends every due item the rate limits allow at now, waits for the
// sends, and returns how many it handled and when the next one may go
// (zero when nothing waits).
func (d *Dispatcher) Step(ctx context.Context, now time.Time) (int, time.Time, error) {
	n, next, err := d.launch(ctx, now)
	d.wg.Wait()
	d.mu.Lock()
	errs := d.errs
	d.errs = nil
	d.mu.Unlock()
	if err == nil && len(errs) > 0 {
		err = errs[0]
	}
	return n, next, err
}

// launch starts a send for every due item the rate limits allow at now,
// up to Workers at once and one per target, and returns without waiting.
func (d *Dispatcher) launch(ctx context.Context, now time.Time) (int, time.Time, error) {
	d.mu.Lock()
	full := d.running >= d.opt.Workers
	d.mu.Unlock()
	if full {
		// Every worker is busy: reading the due items would only be
		// thrown away. Run wakes when a send finishes.
		return 0, now.Add(10 * time.Millisecond), nil
	}
	// Read a short page of due items first: launch runs after every
	// send, and decoding 500 items each time was most of the
	// dispatcher's work. Only when none of them can go now (their
	// channels are waiting) is a deeper page read.
	n, next, deeper, err := d.launchPage(ctx, now, dueShort)
	if err == nil && n == 0 && deeper {
		n, next, _, err = d.launchPage(ctx, now, dueDeep)
	}
	return n, next, err
}

// The pages of due items launch reads.
const dueShort, dueDeep = 32, 500

// launchPage is launch over the first limit due items. deeper reports a
// full page whose every item waited only for its own channel: items
// further down, for other channels, may go now.
func (d *Dispatcher) launchPage(ctx context.Context, now time.Time, limit int) (handled int, next time.Time, deeper bool, err error) {
	items, err := d.opt.Store.Due(ctx, now, limit)
	if err != nil {
		return 0, time.Time{}, false, err
	}
	targetBound := 0
	later := func(at time.Time) {
		if next.IsZero() || at.Before(next) {
			next = at
		}
	}
	for i := range items {
		it := items[i]
		key := targetKey(it.Target)
		d.mu.Lock()
		at, busy, full := d.ready(&it, now), d.inflight[key], d.running >= d.opt.Workers
		if at.After(now) || busy || full {
			if !full && !d.platformReady(it.Target.Platform, now).After(now) {
				targetBound++
			}
			d.mu.Unlock()
			switch {
			case at.After(now):
				later(at)
			case full:
				// A worker frees up soon; Run also wakes on it.
				later(now.Add(10 * time.Millisecond))
			}
			continue
		}
		// Reserve the target's and the platform's slots before the send.
		d.inflight[key] = true
		d.running++
		d.lastByTgt[key] = now
		d.bucket(it.Target.Platform).take()
		d.mu.Unlock()
		release := func() {
			d.mu.Lock()
			delete(d.inflight, key)
			d.running--
			d.mu.Unlock()
			select {
			case d.done <- struct{}{}:
			default:
			}
		}
		handled++
		d.wg.Add(1)
		// The "sending" mark and the outcome are written in the send's
		// goroutine: sends in flight share their commits.
		go func() {
			defer d.wg.Done()
			defer release()
			sender, err := d.begin(ctx, &it, now)
			if err == nil && sender != nil {
				err = d.complete(ctx, &it, sender, now)
			}
			if err != nil {
				d.mu.Lock()
				d.errs = append(d.errs, err)
				d.mu.Unlock()
			}
		}()
	}
	if len(items) == limit {
		later(now)
	}
	return handled, next, len(items) == limit && targetBound == len(items), nil
}

// platformReady is when the platform's pacing and any 429 pause let a
// post go.
func (d *Dispatcher) platformReady(p string, now time.Time) time.Time {
	at := now
	if t := d.pausedUntil[p]; t.After(at) {
		at = t
	}
	if t := d.bucket(p).ready(now, d.opt.PlatformRate); t.After(at) {
		at = t
	}
	return at
}

// begin settles an item that cannot be sent (no adapter) and returns nil,
// or marks it sending, on disk before the platform hears of it, and
// returns its sender.
func (d *Dispatcher) begin(ctx context.Context, it *store.OutboxItem, now time.Time) (Sender, error) {
	p := it.Target.Platform
	sender, ok := d.opt.Senders[p]
	if !ok {
		return nil, d.finish(ctx, it, func(x *store.OutboxItem) {
			x.Status, x.Reason, x.FailedAt = store.OutboxFailed, "no "+p+" adapter configured", now
		})
	}
	if _, err := d.opt.Store.UpdateOutbox(ctx, it.ID, func(x *store.OutboxItem) {
		x.Status = store.OutboxSending
		x.Attempts++
	}); err != nil {
		return nil, err
	}
	it.Attempts++
	return sender, nil
}

// complete makes the attempt and records its outcome. An item whose last
// attempt may have been posted is first looked for on platforms that can
// tell (Slack). On a platform that attaches images apart (Attacher), the
// message goes first and is recorded as posted; its image follows as a
// step of its own, so a found post still gets its image, exactly once.
func (d *Dispatcher) complete(ctx context.Context, it *store.OutboxItem, sender Sender, now time.Time) error {
	if it.Updates != "" {
		return d.update(ctx, it, sender, now)
	}
	msg := pagedFrom(it.Message, it.ID)
	img := msg.Image
	attacher, apart := sender.(Attacher)
	if img != nil && apart {
		msg.Image = nil
	} else if img != nil {
		msg.Image = d.draw(ctx, it, img)
	}
	if !it.Posted {
		ref, found, err := d.post(ctx, it, sender, &msg)
		if err != nil || !found {
			return err // settled by post: sent, retried or failed
		}
		if img == nil || !apart {
			return d.finish(ctx, it, func(x *store.OutboxItem) {
				x.Status, x.Ref, x.SentAt, x.Unverified, x.Error = store.OutboxSent, ref, d.opt.Clock.Now(), false, ""
			})
		}
		// The post exists: record it before the image goes, so a stop in
		// between never posts the message again.
		x, err := d.opt.Store.UpdateOutbox(context.WithoutCancel(ctx), it.ID, func(x *store.OutboxItem) {
			x.Posted, x.Ref, x.Unverified, x.Error = true, ref, false, ""
		})
		if err != nil {
			return err
		}
		*it = *x
	}
	return d.attach(ctx, it, attacher, img)
}

// post sends the message, or finds that an earlier attempt posted it,
// and reports the message's ref with found=true. When it was not posted,
// the outcome is recorded (retry or failure) and found is false.
func (d *Dispatcher) post(ctx context.Context, it *store.OutboxItem, sender Sender, msg *bot.Message) (ref string, found bool, err error) {
	now := d.opt.Clock.Now()
	if it.Unverified {
		if ch, ok := sender.(Checker); ok {
			ref, found, err := ch.Posted(ctx, it.Target, it.Key, it.Created.Add(-time.Minute))
			switch {
			case err != nil:
				return "", false, d.retry(ctx, it, now, fmt.Errorf("check whether posted: %w", err), 0)
			case found:
				d.opt.Logger.Info("outbox item was posted by an earlier attempt; not sending again", "id", it.ID, "key", it.Key)
				return ref, true, nil
			}
		}
	}
	if it.Thread != "" {
		parent, wait, perr := d.parent(ctx, it, it.Thread)
		switch {
		case perr != nil:
			return "", false, d.retry(ctx, it, now, perr, 0)
		case wait:
			return "", false, d.retry(ctx, it, now, fmt.Errorf("waiting for %s to be posted", it.Thread), parentWait)
		}
		if r, ok := sender.(Replier); ok && parent != nil {
			ref, err = r.SendReply(ctx, it.Target, parent.Ref, msg, it.Key)
		} else {
			ref, err = sender.Send(ctx, it.Target, msg, it.Key)
		}
	} else {
		ref, err = sender.Send(ctx, it.Target, msg, it.Key)
	}
	now = d.opt.Clock.Now()
	if err == nil {
		return ref, true, nil
	}
	return "", false, d.failed(ctx, it, now, err)
}

// pagedFrom makes a long list's other pages readable from item id when
// a page button is pressed.
func pagedFrom(msg bot.Message, id uint64) bot.Message {
	if msg.List != nil && msg.List.Source == "" {
		l := *msg.List
		l.Source = "out:" + strconv.FormatUint(id, 10)
		msg.List = &l
	}
	return msg
}

// parent finds the posted item key names for it: nil when there is none
// to thread under or update (never queued, failed, another target), and
// wait when it is still on its way.
func (d *Dispatcher) parent(ctx context.Context, it *store.OutboxItem, key string) (parent *store.OutboxItem, wait bool, err error) {
	p, err := d.opt.Store.OutboxByKey(ctx, key)
	switch {
	case bot.ErrorCode(err) == bot.ENOTFOUND:
		return nil, false, nil
	case err != nil:
		return nil, false, fmt.Errorf("outbox item %s: %w", key, err)
	case p.Target != it.Target:
		return nil, false, nil
	case p.Status == store.OutboxPending || p.Status == store.OutboxSending:
		return nil, true, nil
	case p.Status != store.OutboxSent || p.Ref == "":
		return nil, false, nil
	}
	return p, false, nil
}

// update replaces the posted message of the item it.Updates names with
// it.Message, and keeps the new content in that item too. An item whose
// message was never posted has nothing to update: that fails for good.
func (d *Dispatcher) update(ctx context.Context, it *store.OutboxItem, sender Sender, now time.Time) error {
	u, ok := sender.(Updater)
	if !ok {
		return d.finish(ctx, it, func(x *store.OutboxItem) {
			x.Status, x.Reason, x.FailedAt = store.OutboxFailed, "this platform cannot update a message", now
		})
	}
	parent, wait, err := d.parent(ctx, it, it.Updates)
	switch {
	case err != nil:
		return d.retry(ctx, it, now, err, 0)
	case wait:
		return d.retry(ctx, it, now, fmt.Errorf("waiting for %s to be posted", it.Updates), parentWait)
	case parent == nil:
		return d.finish(ctx, it, func(x *store.OutboxItem) {
			x.Status, x.Reason, x.FailedAt = store.OutboxFailed, "the message to update was never posted", now
		})
	}
	msg := pagedFrom(it.Message, parent.ID)
	if err := u.Update(ctx, it.Target, parent.Ref, &msg); err != nil {
		var se *bot.SendError
		if errors.As(err, &se) && se.Unknown {
			// Updating twice leaves the same message: no need to check.
			se.Unknown = false
		}
		return d.failed(ctx, it, d.opt.Clock.Now(), err)
	}
	now = d.opt.Clock.Now()
	if _, err := d.opt.Store.UpdateOutbox(context.WithoutCancel(ctx), parent.ID, func(x *store.OutboxItem) { x.Message = it.Message }); err != nil {
		return err
	}
	return d.finish(ctx, it, func(x *store.OutboxItem) {
		x.Status, x.Ref, x.SentAt, x.Error = store.OutboxSent, parent.Ref, now, ""
	})
}

// failed records a failed attempt as the error says: given up, paused
// after a 429, to be checked, or retried.
func (d *Dispatcher) failed(ctx context.Context, it *store.OutboxItem, now time.Time, err error) error {
	p := it.Target.Platform
	var se *bot.SendError
	if !errors.As(err, &se) {
		se = &bot.SendError{Err: err, Reason: "error"}
	}
	if d.opt.OnSendError != nil {
		d.opt.OnSendError(p, se)
	}
	switch {
	case se.Permanent:
		d.opt.Logger.Warn("outbox item failed for good", "id", it.ID, "target", it.Target.String(), "reason", se.Reason, "err", err)
		return d.finish(ctx, it, func(x *store.OutboxItem) {
			x.Status, x.Reason, x.Error, x.FailedAt = store.OutboxFailed, se.Reason, err.Error(), now
		})
	case se.RetryAfter > 0:
		d.mu.Lock()
		d.pausedUntil[p] = now.Add(se.RetryAfter)
		d.mu.Unlock()
		d.opt.Logger.Info("rate limited: pausing the platform", "platform", p, "retry_after", se.RetryAfter)
		return d.retry(ctx, it, now, err, se.RetryAfter)
	case se.Unknown:
		return d.retry(ctx, it, now, err, 0, func(x *store.OutboxItem) { x.Unverified = true })
	}
	return d.retry(ctx, it, now, err, 0)
}

// attach sends the image of a posted message and settles the item as
// sent: at once when there is no image (or it cannot be drawn), after
// the upload otherwise. A failed upload is retried like a send, without
// posting the message again; one that cannot succeed leaves the item
// sent, with the reason.
func (d *Dispatcher) attach(ctx context.Context, it *store.OutboxItem, attacher Attacher, img *bot.Image) error {
	sent := func(errText string) error {
		return d.finish(ctx, it, func(x *store.OutboxItem) {
			x.Status, x.SentAt, x.Error = store.OutboxSent, d.opt.Clock.Now(), errText
			x.Attached, x.AttachUnverified = img != nil && errText == "", false
		})
	}
	if img == nil || it.Attached {
		return sent("")
	}
	drawn := d.draw(ctx, it, img)
	if drawn == nil {
		return sent("image not sent: it could not be drawn")
	}
	if it.AttachUnverified {
		if ck, ok := attacher.(AttachChecker); ok {
			found, err := ck.Attached(ctx, it.Target, it.Ref, drawn)
			switch {
			case err != nil:
				return d.retry(ctx, it, d.opt.Clock.Now(), fmt.Errorf("check whether the image was attached: %w", err), 0)
			case found:
				d.opt.Logger.Info("outbox image was attached by an earlier attempt; not uploading again", "id", it.ID, "key", it.Key)
				return sent("")
			}
		}
	}
	err := attacher.Attach(ctx, it.Target, it.Ref, drawn, it.Key)
	now := d.opt.Clock.Now()
	if err == nil {
		return sent("")
	}
	var se *bot.SendError
	if !errors.As(err, &se) {
		se = &bot.SendError{Err: err, Reason: "error"}
	}
	if se.Permanent || it.Attempts >= d.opt.MaxAttempts && se.RetryAfter == 0 {
		// The message is out: the item is sent, and says what is missing.
		d.opt.Logger.Warn("outbox image failed for good; the message itself was posted", "id", it.ID, "target", it.Target.String(), "reason", se.Reason, "err", err)
		return sent("image not sent: " + err.Error())
	}
	if se.RetryAfter > 0 {
		d.mu.Lock()
		d.pausedUntil[it.Target.Platform] = now.Add(se.RetryAfter)
		d.mu.Unlock()
	}
	return d.retry(ctx, it, now, fmt.Errorf("attach image: %w", err), se.RetryAfter, func(x *store.OutboxItem) {
		x.AttachUnverified = x.AttachUnverified || se.Unknown
	})
}

// draw returns img with its bytes: itself when it has them, else drawn
// from its Spec with Options.Render; nil (logged) when it cannot be.
func (d *Dispatcher) draw(ctx context.Context, it *store.OutboxItem, img *bot.Image) *bot.Image {
	if len(img.Data) > 0 || img.Spec == nil {
		if len(img.Data) == 0 {
			return nil
		}
		return img
	}
	if d.opt.Render == nil {
		d.opt.Logger.Error("outbox image has a spec but no renderer is configured; sending without it", "id", it.ID, "kind", img.Spec.Kind)
		return nil
	}
	data, err := d.opt.Render(ctx, img.Spec)
	if err != nil || len(data) == 0 {
		d.opt.Logger.Error("outbox image could not be drawn; sending without it", "id", it.ID, "kind", img.Spec.Kind, "err", err)
		return nil
	}
	out := *img
	out.Data, out.Spec = data, nil
	return &out
}

// retry puts the item back for a later attempt, or gives it up after
// MaxAttempts. wait, when positive, replaces the backoff.
func (d *Dispatcher) retry(ctx context.Context, it *store.OutboxItem, now time.Time, cause error, wait time.Duration, also ...func(*store.OutboxItem)) error {
	return d.finishMaybe(ctx, it, func(x *store.OutboxItem) bool {
		for _, f := range also {
			f(x)
		}
		x.Error = cause.Error()
		if x.Attempts >= d.opt.MaxAttempts && wait == 0 {
			x.Status, x.Reason, x.FailedAt = store.OutboxFailed, fmt.Sprintf("gave up after %d attempts", x.Attempts), now
			return true
		}
		if wait <= 0 {
			wait = Backoff(x.Attempts)
		}
		x.Status, x.NextAt = store.OutboxPending, now.Add(wait)
		return false
	})
}

func (d *Dispatcher) finish(ctx context.Context, it *store.OutboxItem, fn func(*store.OutboxItem)) error {
	return d.finishMaybe(ctx, it, func(x *store.OutboxItem) bool { fn(x); return true })
}

// finishMaybe records an outcome; final ones are reported to OnOutcome.
func (d *Dispatcher) finishMaybe(ctx context.Context, it *store.OutboxItem, fn func(*store.OutboxItem) bool) error {
	final := false
	x, err := d.opt.Store.UpdateOutbox(context.WithoutCancel(ctx), it.ID, func(x *store.OutboxItem) {
		if final = fn(x); final && x.Transient {
			x.Forget()
		}
	})
	if err != nil {
		return err
	}
	if final && d.opt.OnOutcome != nil {
		d.opt.OnOutcome(x)
	}
	return nil
}

// Run recovers, then delivers until ctx is done, sleeping until the next
// item may go, a send finishes, or poll passes (so new items are noticed).
func (d *Dispatcher) Run(ctx context.Context, poll time.Duration) error {
	if poll <= 0 {
		poll = time.Second
	}
	if err := d.Recover(ctx); err != nil {
		return err
	}
	for {
		now := d.opt.Clock.Now()
		_, next, err := d.launch(ctx, now)
		if err != nil && ctx.Err() == nil {
			d.opt.Logger.Error("outbox step", "err", err)
		}
		d.mu.Lock()
		for _, e := range d.errs {
			if ctx.Err() == nil {
				d.opt.Logger.Error("outbox send", "err", e)
			}
		}
		d.errs = nil
		d.mu.Unlock()
		wait := poll
		if !next.IsZero() {
			wait = min(wait, max(next.Sub(d.opt.Clock.Now()), time.Millisecond))
		}
		select {
		case <-ctx.Done():
			d.wg.Wait()
			return nil
		case <-d.done:
		case <-time.After(wait):
		}
	}
}
