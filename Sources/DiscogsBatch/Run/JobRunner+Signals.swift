extension JobRunner {
    /// What a run does on SIGINT/SIGTERM (SPEC §4): the first stops dispatching and gives requests in
    /// flight `grace` (on the runner's clock) to finish, then cancels `running`; a second calls
    /// `secondSignal` with the first one's number (the command writes its reports and exits at once).
    /// Either way the output is one that `--resume` completes. Returns when `numbers` ends or after a
    /// second signal.
    public func handleStopSignals(
        _ numbers: AsyncStream<Int32>, running: Task<RunSummary, Never>, grace: Duration,
        say: @Sendable (String) -> Void, secondSignal: @Sendable (Int32) -> Void
    ) async {
        var first: Int32?
        for await number in numbers {
            if let first {
                say("discogs-batch: second signal; stopping now")
                secondSignal(first)
                return
            }
            first = number
            stop(.signal(number))
            say("discogs-batch: stopping; requests in flight have \(grace.humanDescription) to finish (signal again to stop now)")
            let clock = self.clock
            Task {
                try await clock.sleep(for: grace)
                running.cancel()
            }
        }
    }
}
