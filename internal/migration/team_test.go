package migration

import "testing"

func TestStatementHashIgnoresCommentsAndSpacing(t *testing.T) {
	a, err := statementHash("CREATE TABLE a (id int DEFAULT 0, s text DEFAULT '\"location\":1')")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := statementHash("create   table a (\n -- a comment\n id INT default 0 /* x */, s text DEFAULT '\"location\":1')")
	c, _ := statementHash("CREATE TABLE a (id int DEFAULT 1, s text DEFAULT '\"location\":1')")
	d, _ := statementHash("CREATE TABLE a (id int DEFAULT 0, s text DEFAULT '\"location\":2')")
	if a != b {
		t.Errorf("a comment or spacing changed the hash: %s != %s", a, b)
	}
	if a == c || a == d {
		t.Errorf("a changed constant kept the hash")
	}
}
