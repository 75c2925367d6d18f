package emulator

// InFlight is how many requests are being served (for the Close test).
func InFlight(s *Server) int64 {
	return s.inflight.Load()
}
