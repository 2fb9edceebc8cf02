// Package console is the chat adapter with no platform: it reads commands
// on standard input and prints the answers as text. Anyone can try the
// bot with it, `serve` prints scheduled posts through it when no chat
// tokens are set, and it doubles as a harness for trying commands.
package console

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"partnerbot/bot"
	"partnerbot/commands"
	"partnerbot/i18n"
)

// Render writes a message as plain text: what the console prints and what
// logs and tests read.
func Render(m *bot.Message) string {
	var b strings.Builder
	if m.Title != "" {
		mark := ""
		switch m.Color {
		case "red":
			mark = "[!] "
		case "amber":
			mark = "[~] "
		}
		b.WriteString(mark + m.Title + "\n")
		b.WriteString(strings.Repeat("=", min(utf8.RuneCountInString(mark+m.Title), 72)) + "\n")
	}
	if m.Text != "" {
		b.WriteString(m.Text + "\n")
	}
	if m.List != nil {
		// A terminal scrolls: the whole list, then its total.
		if m.Text != "" {
			b.WriteString("\n")
		}
		for _, it := range m.List.Items {
			b.WriteString(it + "\n")
		}
		b.WriteString("(" + i18n.T(m.List.Locale, "list.all", m.List.Count()) + ")\n")
	}
	if len(m.Fields) > 0 {
		if m.Text != "" {
			b.WriteString("\n")
		}
		width := 0
		for _, f := range m.Fields {
			width = max(width, utf8.RuneCountInString(f.Name))
		}
		// Long names (promotion titles) read better above their values.
		if width > 24 {
			for _, f := range m.Fields {
				b.WriteString("  " + f.Name + "\n")
				for _, l := range strings.Split(f.Value, "\n") {
					b.WriteString("      " + l + "\n")
				}
			}
			width = -1
		}
		for _, f := range m.Fields {
			if width < 0 {
				break
			}
			pad := strings.Repeat(" ", width-utf8.RuneCountInString(f.Name))
			lines := strings.Split(f.Value, "\n")
			b.WriteString("  " + f.Name + ":" + pad + " " + lines[0] + "\n")
			for _, l := range lines[1:] {
				b.WriteString("  " + strings.Repeat(" ", width+2) + l + "\n")
			}
		}
	}
	if len(m.Buttons) > 0 {
		var bs []string
		for i, btn := range m.Buttons {
			if btn.URL != "" {
				bs = append(bs, fmt.Sprintf("[%s → %s]", btn.Label, btn.URL))
			} else {
				bs = append(bs, fmt.Sprintf("[%d: %s]", i+1, btn.Label))
			}
		}
		b.WriteString("\n" + strings.Join(bs, "  ") + "\n")
	}
	if m.Image != nil {
		b.WriteString(fmt.Sprintf("(image: %s, %s)\n", m.Image.Name, m.Image.Alt))
	}
	if m.Footer != "" {
		b.WriteString("-- " + m.Footer + "\n")
	}
	return b.String()
}

// Session is an interactive chat as one partner, manager or admin.
type Session struct {
	Service *commands.Service
	Caller  *commands.Caller
	In      io.Reader
	Out     io.Writer
	// ImageDir is where images (QR codes, charts) are saved so they can
	// be opened; "" means the working directory.
	ImageDir string
	// Prompt is printed before each command when set (interactive use).
	Prompt string
}

// Run reads commands until the input ends or ctx is done. A line is a
// command ("/mystats 2026-11", the slash optional), a button press
// ("!1" presses the last answer's first button), "help", "quit", or
// anything else: words to the bot, as in a DM (a partner's go to its
// manager).
func (s *Session) Run(ctx context.Context) error {
	sc := bufio.NewScanner(s.In)
	var last *bot.Message
	s.prompt()
	for sc.Scan() {
		if err := ctx.Err(); err != nil {
			return err
		}
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "":
		case line == "quit" || line == "exit":
			return nil
		case strings.HasPrefix(line, "!"):
			n, err := strconv.Atoi(line[1:])
			if last == nil || err != nil || n < 1 || n > len(last.Buttons) || last.Buttons[n-1].Action == "" {
				fmt.Fprintln(s.Out, "no such button; the last answer's buttons are numbered [1: ...]")
				break
			}
			btn := last.Buttons[n-1]
			last = s.Service.Interact(ctx, s.Caller, btn.Action, btn.Value)
			s.print(last)
		default:
			name, text, _ := strings.Cut(strings.TrimPrefix(line, "/"), " ")
			if _, known := s.Service.Spec(name); !known && !strings.HasPrefix(line, "/") {
				// Words, not a command: what a DM to the bot is.
				if last = s.Service.Converse(ctx, s.Caller, commands.Incoming{Text: line, DM: true}); last != nil {
					s.print(last)
				}
				break
			}
			args, err := s.Service.ParseText(name, text)
			if _, known := s.Service.Spec(name); known && err != nil {
				fmt.Fprintln(s.Out, bot.ErrorMessage(err))
				break
			}
			// An unknown command gets Run's own answer, which says so.
			last = s.Service.Run(ctx, s.Caller, name, args)
			s.print(last)
		}
		s.prompt()
	}
	return sc.Err()
}

func (s *Session) prompt() {
	if s.Prompt != "" {
		fmt.Fprint(s.Out, s.Prompt)
	}
}

func (s *Session) print(m *bot.Message) {
	fmt.Fprint(s.Out, Render(m))
	if m.Image != nil {
		if path, err := SaveImage(s.ImageDir, "", m.Image); err != nil {
			fmt.Fprintf(s.Out, "(could not save the image: %v)\n", err)
		} else {
			fmt.Fprintf(s.Out, "(saved to %s)\n", path)
		}
	}
	fmt.Fprintln(s.Out)
}

// SaveImage writes an image into dir ("" is the working directory, made
// when missing) under its own name, after prefix when one is given (an
// outbox key, so a dry run's charts do not overwrite each other), and
// returns the file's path.
func SaveImage(dir, prefix string, img *bot.Image) (string, error) {
	if dir == "" {
		dir = "."
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("save image: %w", err)
	}
	name := filepath.Base(img.Name)
	if prefix != "" {
		name = fileSafe.Replace(prefix) + "-" + name
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, img.Data, 0o644); err != nil {
		return "", fmt.Errorf("save image: %w", err)
	}
	return path, nil
}

var fileSafe = strings.NewReplacer("/", "_", "\\", "_", ":", "_", "@", "_", " ", "_")

// Poster prints scheduled posts instead of sending them: the adapter
// `serve` uses when no chat platform is configured.
type Poster struct {
	mu  sync.Mutex
	Out io.Writer
}

// Send prints the message with its destination and returns a reference.
func (p *Poster) Send(ctx context.Context, t bot.Target, m *bot.Message, key string) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.Out, "──── to %s (%s) ────\n%s\n", t, key, Render(m))
	return "console:" + key, nil
}
