// ward-probe: a small DNS client on github.com/miekg/dns for INTEROP.md (test/interop/programs/go-miekg.ts).
// It opens ONE connection (udp, tcp or tcp-tls), writes every query given before reading any reply
// (pipelining, RFC 7766 §6.2.1.1), then prints one line per reply in the order they arrived.
// TLS is authenticated by an SPKI pin (RFC 7858 §4.2) or by name against a CA file (RFC 8310).
package main

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/miekg/dns"
)

func main() {
	server := flag.String("server", "127.0.0.1:53", "address:port")
	network := flag.String("net", "udp", "udp, tcp or tcp-tls")
	pin := flag.String("pin", "", "SPKI pin (base64 SHA-256)")
	caFile := flag.String("ca", "", "CA file to check the certificate against")
	name := flag.String("name", "", "name to check the certificate for")
	keepalive := flag.Bool("keepalive", false, "send edns-tcp-keepalive (RFC 7828)")
	pad := flag.Bool("pad", false, "pad queries to a multiple of 128 octets (RFC 8467)")
	flag.Parse()
	if err := run(*server, *network, *pin, *caFile, *name, *keepalive, *pad, flag.Args()); err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
}

func tlsConfig(pin, caFile, name string) (*tls.Config, error) {
	cfg := &tls.Config{ServerName: name, MinVersion: tls.VersionTLS12}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, err
		}
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(pem)
		cfg.RootCAs = pool
		return cfg, nil
	}
	// Pin only: the chain is not checked, the leaf's SPKI must match (RFC 7858 §4.2).
	cfg.InsecureSkipVerify = true
	cfg.VerifyPeerCertificate = func(raw [][]byte, _ [][]*x509.Certificate) error {
		leaf, err := x509.ParseCertificate(raw[0])
		if err != nil {
			return err
		}
		sum := sha256.Sum256(leaf.RawSubjectPublicKeyInfo)
		if base64.StdEncoding.EncodeToString(sum[:]) != pin {
			return errors.New("SPKI pin mismatch")
		}
		return nil
	}
	return cfg, nil
}

func query(qname string, keepalive, pad bool) *dns.Msg {
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(qname), dns.TypeA)
	m.SetEdns0(1232, false)
	opt := m.IsEdns0()
	if keepalive {
		opt.Option = append(opt.Option, &dns.EDNS0_TCP_KEEPALIVE{Code: dns.EDNS0TCPKEEPALIVE})
	}
	if pad {
		// 4 octets of option header, then zeros up to the next multiple of 128.
		n := m.Len() + 4
		opt.Option = append(opt.Option, &dns.EDNS0_PADDING{Padding: make([]byte, (128-n%128)%128)})
	}
	return m
}

func run(server, network, pin, caFile, name string, keepalive, pad bool, names []string) error {
	client := &dns.Client{Net: network, Timeout: 5 * time.Second}
	if network == "tcp-tls" {
		cfg, err := tlsConfig(pin, caFile, name)
		if err != nil {
			return err
		}
		client.TLSConfig = cfg
	}
	conn, err := client.Dial(server)
	if err != nil {
		return err
	}
	defer conn.Close()
	byID := map[uint16]string{}
	for _, n := range names {
		m := query(n, keepalive, pad)
		byID[m.Id] = n
		if err := conn.WriteMsg(m); err != nil {
			return err
		}
	}
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	for range names {
		r, err := conn.ReadMsg()
		if err != nil {
			return err
		}
		var rrs []string
		for _, rr := range r.Answer {
			rrs = append(rrs, strings.ReplaceAll(rr.String(), "\t", " "))
		}
		fmt.Printf("reply id=%d for=%s rcode=%s size=%d answer=%s\n", r.Id, byID[r.Id], dns.RcodeToString[r.Rcode], r.Len(), strings.Join(rrs, "; "))
	}
	return nil
}
