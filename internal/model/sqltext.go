package model

import "strings"

// SplitTopLevel splits SQL text on commas outside quotes and parentheses.
func SplitTopLevel(s string) []string {
	var out []string
	for i := IndexTopLevel(s, ","); i >= 0; i = IndexTopLevel(s, ",") {
		out = append(out, strings.TrimSpace(s[:i]))
		s = s[i+1:]
	}
	if last := strings.TrimSpace(s); last != "" {
		out = append(out, last)
	}
	return out
}

// IndexTopLevel finds sep outside quotes and parentheses, or -1.
func IndexTopLevel(s, sep string) int {
	depth := 0
	quote := byte(0)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '(':
			depth++
		case c == ')':
			depth--
		case depth == 0 && strings.HasPrefix(s[i:], sep):
			return i
		}
	}
	return -1
}
