package diff_test

import (
	"testing"

	"github.com/pg-flux/pg-flux/internal/diff"
	"github.com/pg-flux/pg-flux/internal/model"
)

// The privileges of an object that only one side has go with the object:
// drift reports the object missing or extra, not its grants as well.
func TestComparePrivilegesGoWithTheirObject(t *testing.T) {
	live, desired := base(), base()
	f := &model.Function{Name: pub("token"), Args: "length integer", Kind: "f",
		Definition: "CREATE OR REPLACE FUNCTION public.token(length integer) RETURNS text LANGUAGE sql AS $function$select ''$function$"}
	live.Functions[f.Key()] = f
	execute := []model.Grant{{Grantee: "app", Privilege: "EXECUTE"}}
	live.ACLs[f.ID()] = &model.ACL{Target: "FUNCTION public.token(length integer)", Grants: execute}
	d := &model.Domain{Name: pub("email"), Type: "text"}
	desired.Domains[d.Name] = d
	dom := model.ObjectID{Kind: model.KindEnum, Schema: "public", Name: "email"}
	desired.ACLs[dom] = &model.ACL{Target: "DOMAIN public.email", Grants: []model.Grant{{Grantee: "app", Privilege: "USAGE"}}}
	// A multirange has privileges of its own but is no type of the model
	// on either side: its grants are still compared.
	multi := model.ObjectID{Kind: model.KindEnum, Schema: "public", Name: "spanmultirange"}
	live.ACLs[multi] = &model.ACL{Target: "TYPE public.spanmultirange"}
	desired.ACLs[multi] = &model.ACL{Target: "TYPE public.spanmultirange", Grants: []model.Grant{{Grantee: "app", Privilege: "USAGE"}}}

	var got []string
	for _, c := range diff.Compare(live, desired) {
		got = append(got, c.String())
	}
	want := []string{
		"create domain public.email",
		"alter type public.spanmultirange (grants: (none) → USAGE to app)",
		"drop function public.token(length integer)",
	}
	if len(got) != len(want) {
		t.Fatalf("changes:\n%q\nwant:\n%q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("change %d: %q, want %q", i, got[i], want[i])
		}
	}
}
