// Package dnstest is a tiny DNS server for tests (kept apart so the CLI binary does not link miekg/dns).
package dnstest

import (
	"net"
	"strings"
	"sync"

	"github.com/miekg/dns"
)

// Server is a tiny authoritative DNS server on 127.0.0.1 (UDP and TCP on the same port)
// that answers TXT queries from records set with SetTXT. Tests use it; it is not part of the
// command-line tool's behaviour.
type Server struct {
	udp, tcp *dns.Server

	mu      sync.Mutex
	records map[string][]string
	queries []string
}

// Start listens on 127.0.0.1 (an ephemeral port) and serves until Close.
func Start() (*Server, error) {
	s := &Server{records: map[string][]string{}}
	// UDP and TCP must share one port number, and the TCP port may be taken by another
	// process even when the UDP one was free: try a few ports before giving up.
	var (
		pc  net.PacketConn
		ln  net.Listener
		err error
	)
	for attempt := 0; attempt < 20; attempt++ {
		if pc, err = net.ListenPacket("udp", "127.0.0.1:0"); err != nil {
			return nil, err
		}
		if ln, err = net.Listen("tcp", pc.LocalAddr().String()); err == nil {
			break
		}
		pc.Close()
	}
	if err != nil {
		return nil, err
	}
	h := dns.HandlerFunc(s.serve)
	s.udp = &dns.Server{PacketConn: pc, Handler: h}
	s.tcp = &dns.Server{Listener: ln, Handler: h}
	started := make(chan struct{}, 2)
	s.udp.NotifyStartedFunc = func() { started <- struct{}{} }
	s.tcp.NotifyStartedFunc = func() { started <- struct{}{} }
	go s.udp.ActivateAndServe()
	go s.tcp.ActivateAndServe()
	<-started
	<-started
	return s, nil
}

// Addr is "127.0.0.1:PORT".
func (s *Server) Addr() string { return s.udp.PacketConn.LocalAddr().String() }

// SetTXT adds a TXT string for name (case-insensitive, with or without the trailing dot).
func (s *Server) SetTXT(name, value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := dns.Fqdn(strings.ToLower(name))
	s.records[k] = append(s.records[k], value)
}

// Queries returns the names asked for so far.
func (s *Server) Queries() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.queries...)
}

// Close stops both listeners.
func (s *Server) Close() {
	s.udp.Shutdown()
	s.tcp.Shutdown()
}

func (s *Server) serve(w dns.ResponseWriter, req *dns.Msg) {
	m := new(dns.Msg)
	m.SetReply(req)
	m.Authoritative = true
	for _, q := range req.Question {
		name := strings.ToLower(q.Name)
		s.mu.Lock()
		s.queries = append(s.queries, name)
		vals, ok := s.records[name]
		s.mu.Unlock()
		if !ok {
			m.Rcode = dns.RcodeNameError
			continue
		}
		if q.Qtype != dns.TypeTXT {
			continue
		}
		for _, v := range vals {
			m.Answer = append(m.Answer, &dns.TXT{
				Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: 60},
				Txt: []string{v},
			})
		}
	}
	w.WriteMsg(m)
}
