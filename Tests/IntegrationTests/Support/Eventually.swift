import Testing

/// Retries `attempt` until it yields a value, for up to five seconds.
func eventually<Value>(_ attempt: () async throws -> Value?) async throws -> Value {
    let deadline = ContinuousClock.now + .seconds(5)
    while true {
        if let value = try await attempt() { return value }
        try #require(ContinuousClock.now < deadline, "not reached in time")
        try await Task.sleep(for: .milliseconds(20))
    }
}
