package sso

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"strings"
	"time"
)

// certInfo describes a certificate for output (never the certificate itself).
type certInfo struct {
	Subject           string    `json:"subject"`
	Issuer            string    `json:"issuer"`
	NotBefore         time.Time `json:"notBefore"`
	NotAfter          time.Time `json:"notAfter"`
	FingerprintSHA256 string    `json:"fingerprintSha256"`
	Expired           bool      `json:"expired"`
	ExpiresSoon       bool      `json:"expiresSoon"`
}

// expirySoon is how close to expiry a certificate draws a warning.
const expirySoon = 30 * 24 * time.Hour

// parseCert reads a PEM certificate (or bare base64 DER, as IdP metadata often carries it).
func parseCert(s string, now time.Time) (*certInfo, error) {
	s = strings.TrimSpace(s)
	var der []byte
	if block, _ := pem.Decode([]byte(s)); block != nil {
		if block.Type != "CERTIFICATE" {
			return nil, fmt.Errorf("PEM block is %q, want CERTIFICATE", block.Type)
		}
		der = block.Bytes
	} else {
		b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(s), ""))
		if err != nil {
			return nil, fmt.Errorf("not a PEM certificate")
		}
		der = b
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("unreadable certificate: %v", err)
	}
	sum := sha256.Sum256(c.Raw)
	hexes := make([]string, len(sum))
	for i, b := range sum {
		hexes[i] = fmt.Sprintf("%02X", b)
	}
	return &certInfo{
		Subject:           c.Subject.String(),
		Issuer:            c.Issuer.String(),
		NotBefore:         c.NotBefore.UTC(),
		NotAfter:          c.NotAfter.UTC(),
		FingerprintSHA256: strings.Join(hexes, ":"),
		Expired:           now.After(c.NotAfter),
		ExpiresSoon:       !now.After(c.NotAfter) && c.NotAfter.Sub(now) < expirySoon,
	}, nil
}

// checkPrivateKey reports whether s is a readable PEM private key.
func checkPrivateKey(s string) error {
	block, _ := pem.Decode([]byte(strings.TrimSpace(s)))
	if block == nil || !strings.Contains(block.Type, "PRIVATE KEY") {
		return fmt.Errorf("not a PEM private key")
	}
	if _, err := x509.ParsePKCS8PrivateKey(block.Bytes); err == nil {
		return nil
	}
	if _, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return nil
	}
	if _, err := x509.ParseECPrivateKey(block.Bytes); err == nil {
		return nil
	}
	return fmt.Errorf("unreadable private key")
}

// expiryNote is the human line about a certificate's expiry.
func expiryNote(what string, c *certInfo, now time.Time) string {
	switch {
	case c.Expired:
		return fmt.Sprintf("warning: the %s certificate (%s) EXPIRED on %s", what, c.Subject, c.NotAfter.Format(time.RFC3339))
	case c.ExpiresSoon:
		return fmt.Sprintf("warning: the %s certificate (%s) expires in %d days, on %s", what, c.Subject, int(c.NotAfter.Sub(now).Hours()/24), c.NotAfter.Format(time.RFC3339))
	}
	return fmt.Sprintf("%s certificate (%s) valid until %s", what, c.Subject, c.NotAfter.Format(time.RFC3339))
}
