package scim

import (
	"encoding/base64"
	"testing"
)

func TestTokenScope(t *testing.T) {
	tok := base64.RawURLEncoding.EncodeToString([]byte("abcdefghijklmnopqrstuvwx:okta:org1"))
	p, org := tokenScope(tok)
	if p != "okta" || org == nil || *org != "org1" {
		t.Errorf("scope %q %v", p, org)
	}
	p, org = tokenScope(base64.RawURLEncoding.EncodeToString([]byte("abcdefghijklmnopqrstuvwx:azure")))
	if p != "azure" || org != nil {
		t.Errorf("scope %q %v", p, org)
	}
	if p, _ := tokenScope("not base64 !"); p != "" {
		t.Errorf("garbage gave %q", p)
	}
}

func TestCheckProviderID(t *testing.T) {
	for _, ok := range []string{"okta", "azure-ad", "my_idp"} {
		if err := checkProviderID(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{"", " ", "a:b", "credential", "magic-link"} {
		if checkProviderID(bad) == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
