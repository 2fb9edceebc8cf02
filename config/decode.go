package config

import (
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"partnerbot/bot"
)

// A problem is one thing wrong with the configuration; line is 0 when the
// key did not come from the file.
type problem struct {
	line int
	text string
}

// joinProblems returns nil for no problems, else one EINVALID error
// listing them one a line, those with a line first, in file order.
func joinProblems(probs []problem) error {
	if len(probs) == 0 {
		return nil
	}
	sort.SliceStable(probs, func(i, j int) bool {
		a, b := probs[i].line, probs[j].line
		return a != 0 && (b == 0 || a < b)
	})
	texts := make([]string, len(probs))
	for i, p := range probs {
		texts[i] = p.text
	}
	return bot.Errorf(bot.EINVALID, "%s", strings.Join(texts, "\n"))
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// syntaxError turns "yaml: line 3: did not find expected key" into
// "file:3: did not find expected key".
func syntaxError(file string, err error) error {
	if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
		return bot.Errorf(bot.EINVALID, "%s:%s: %s", file, m[1], m[2])
	}
	return bot.Errorf(bot.EINVALID, "%s: %s", file, strings.TrimPrefix(err.Error(), "yaml: "))
}

// decoder overlays a YAML tree on a pre-filled struct field by field,
// so that keys the file leaves out keep their defaults, and every key is
// checked against the struct's yaml tags and its line recorded.
type decoder struct {
	file  string
	lines map[string]int
	probs []problem
}

func (d *decoder) addf(line int, format string, args ...any) {
	d.probs = append(d.probs, problem{line, fmt.Sprintf("%s:%d: ", d.file, line) + fmt.Sprintf(format, args...)})
}

func (d *decoder) document(root *yaml.Node, c *Config) {
	n := root
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return
		}
		n = n.Content[0]
	}
	if n.Kind == 0 || isNull(n) {
		return // an empty file: all defaults
	}
	if n.Kind != yaml.MappingNode {
		d.addf(n.Line, "the file must be a mapping of sections like program:, http:, jobs:, got %s", describe(n))
		return
	}
	d.structure("", n, reflect.ValueOf(c).Elem())
}

var unmarshalerType = reflect.TypeFor[yaml.Unmarshaler]()

// isSection reports whether values of t are walked key by key rather
// than decoded whole.
func isSection(t reflect.Type) bool {
	return t.Kind() == reflect.Struct && !reflect.PointerTo(t).Implements(unmarshalerType)
}

// structure walks the mapping n into the struct v; path is v's dotted key.
func (d *decoder) structure(path string, n *yaml.Node, v reflect.Value) {
	fields := yamlFields(v.Type())
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], resolveAlias(n.Content[i+1])
		name := k.Value
		key := join(path, name)
		if k.Kind != yaml.ScalarNode {
			d.addf(k.Line, "keys must be plain names")
			continue
		}
		if first, dup := d.lines[key]; dup {
			d.addf(k.Line, "%s is set twice (first on line %d)", key, first)
			continue
		}
		d.lines[key] = k.Line
		idx, ok := fields[name]
		if !ok {
			d.unknown(k.Line, path, name, fields)
			continue
		}
		f := v.Field(idx)
		if isNull(val) {
			continue // "key:" with no value keeps the default
		}
		if isSection(f.Type()) {
			if val.Kind != yaml.MappingNode {
				d.addf(k.Line, "%s: expected a mapping of keys, got %s", key, describe(val))
				continue
			}
			d.structure(key, val, f)
			continue
		}
		d.leaf(key, k.Line, val, f)
	}
}

// leaf decodes one value into f, leaving f as it was when the value does
// not fit.
func (d *decoder) leaf(key string, line int, val *yaml.Node, f reflect.Value) {
	nv := reflect.New(f.Type())
	if err := val.Decode(nv.Interface()); err != nil {
		if _, ok := err.(*yaml.TypeError); ok {
			d.addf(line, "%s: expected %s, got %s", key, expected(f.Type()), describe(val))
		} else {
			d.addf(line, "%s: %s", key, bot.ErrorMessage(err))
		}
		return
	}
	f.Set(nv.Elem())
	if val.Kind == yaml.SequenceNode {
		for i, item := range val.Content {
			d.lines[key+"["+strconv.Itoa(i)+"]"] = item.Line
		}
	}
}

// secretKeys maps keys people try to put tokens under to the variable
// that really holds them.
var secretKeys = map[string]string{
	"slack.token":            "SLACK_BOT_TOKEN",
	"slack.bot_token":        "SLACK_BOT_TOKEN",
	"slack.app_token":        "SLACK_APP_TOKEN",
	"slack.signing_secret":   "SLACK_SIGNING_SECRET",
	"discord.token":          "DISCORD_BOT_TOKEN",
	"discord.bot_token":      "DISCORD_BOT_TOKEN",
	"discord.app_id":         "DISCORD_APP_ID",
	"discord.application_id": "DISCORD_APP_ID",
	"discord.public_key":     "DISCORD_PUBLIC_KEY",
	"http.token":             "PARTNERBOT_API_TOKEN",
	"http.api_token":         "PARTNERBOT_API_TOKEN",
	"api.token":              "PARTNERBOT_API_TOKEN",
	"api_token":              "PARTNERBOT_API_TOKEN",
}

func secretEnvList() string {
	var s Secrets
	names := make([]string, 0, 7)
	for _, e := range s.byEnv() {
		names = append(names, e.env)
	}
	return strings.Join(names, ", ")
}

func (d *decoder) unknown(line int, path, name string, fields map[string]int) {
	key := join(path, name)
	if env, ok := secretKeys[key]; ok {
		d.addf(line, "%s: secrets are not read from the file; set the environment variable %s instead", key, env)
		return
	}
	lower := strings.ToLower(name)
	if key == "secrets" || strings.Contains(lower, "token") || strings.Contains(lower, "secret") ||
		strings.Contains(lower, "password") || strings.Contains(lower, "public_key") {
		d.addf(line, "%s: secrets are not read from the file; set them in the environment (%s)", key, secretEnvList())
		return
	}
	best, bestDist := "", 3
	for f := range fields {
		if dist := editDistance(lower, f); dist < bestDist || (dist == bestDist && f < best) {
			best, bestDist = f, dist
		}
	}
	if best != "" && bestDist < len(name) {
		d.addf(line, "unknown key %s (did you mean %s?)", key, join(path, best))
		return
	}
	known := make([]string, 0, len(fields))
	for f := range fields {
		known = append(known, f)
	}
	sort.Strings(known)
	under := ""
	if path != "" {
		under = " under " + path
	}
	d.addf(line, "unknown key %s (known keys%s: %s)", key, under, strings.Join(known, ", "))
}

// yamlFields maps the yaml names of t's fields to their index.
func yamlFields(t reflect.Type) map[string]int {
	m := map[string]int{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if !f.IsExported() || name == "-" || name == "" {
			continue
		}
		m[name] = i
	}
	return m
}

// Keys returns every dotted key a file may set, sorted: for docs and the
// test that keeps example.yaml complete. A job's lead and every_weeks are
// listed only for the job that has them.
func Keys() []string {
	var keys []string
	var walk func(path string, t reflect.Type)
	walk = func(path string, t reflect.Type) {
		for name, i := range yamlFields(t) {
			key := join(path, name)
			if ft := t.Field(i).Type; isSection(ft) {
				walk(key, ft)
			} else if job, ok := jobOnly[name]; !ok || key == "jobs."+job+"."+name {
				keys = append(keys, key)
			}
		}
	}
	walk("", reflect.TypeFor[Config]())
	sort.Strings(keys)
	return keys
}

func resolveAlias(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// describe names what a node holds, for "expected X, got Y".
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return strconv.Quote(n.Value)
	}
	return "nothing usable"
}

// expected says what a field of type t takes.
func expected(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "text"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number like 0.25"
	case reflect.Slice:
		return `a list like ["a", "b"]`
	}
	return t.String()
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
