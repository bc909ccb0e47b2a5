import Testing

/// Retries `attempt` until it yields a value, for up to `timeout`.
func eventually<Value>(within timeout: Duration = .seconds(5), _ attempt: () async throws -> Value?) async throws -> Value {
    let deadline = ContinuousClock.now + timeout
    while true {
        if let value = try await attempt() { return value }
        try #require(ContinuousClock.now < deadline, "not reached in time")
        try await Task.sleep(for: .milliseconds(20))
    }
}
