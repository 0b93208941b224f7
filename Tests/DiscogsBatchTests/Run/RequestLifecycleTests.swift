import Testing
@testable import DiscogsBatch

/// One request's life driven by answers alone: redirects, 429s, retries and their bounds.
@Suite("Run: request lifecycle")
struct RequestLifecycleTests {
    /// Backoff with the jitter's upper end, so delays are the caps: 1 s, 2 s, 4 s...
    let policy = RetryPolicy(maxAttempts: 3, maxWait: .seconds(10), baseDelay: .seconds(1), random: { $0.upperBound })

    func answer(_ status: Int, _ headers: [(name: String, value: String)] = [], body: String = "") -> TransportResponse {
        TransportResponse(status: status, headers: headers, body: Array(body.utf8))
    }

    func life(_ method: String = "GET", url: String = "https://api.discogs.com/releases/1") -> RequestLifecycle {
        RequestLifecycle(method: method, url: url, body: method == "POST" ? Array("{}".utf8) : nil, policy: policy)
    }

    @Test func aJSONAnswerIsFinalAndTheBodyIsScannedOnlyThen() {
        var life = life()
        var asked = 0
        #expect(life.answered(answer(503)) { asked += 1; return true } == .retry(after: .seconds(1)))
        #expect(asked == 0)
        #expect(life.answered(answer(200)) { asked += 1; return true } == .finish)
        #expect(asked == 1)
    }

    @Test func redirectsAreFollowedFiveTimesAndCredentialsDroppedAcrossOrigins() {
        var life = life("POST")
        #expect(life.answered(answer(307, [("Location", "/releases/2")])) { true } == .follow("https://api.discogs.com/releases/2"))
        #expect(life.method == "POST" && life.body != nil && !life.dropCredentials)
        #expect(life.answered(answer(302, [("Location", "https://elsewhere.example/x")])) { true } == .follow("https://elsewhere.example/x"))
        #expect(life.method == "GET" && life.body == nil && life.dropCredentials)
        for _ in 0..<3 { _ = life.answered(answer(301, [("Location", "/y")])) { true } }
        // The sixth redirect is not followed: it is the final answer.
        #expect(life.answered(answer(301, [("Location", "/z")])) { false } == .finish)
    }

    @Test func a429WaitsWithoutCountingAndRetriesStopAtMaxAttempts() {
        var life = life()
        #expect(life.answered(answer(429)) { true } == .rateLimited)
        #expect(life.answered(answer(500)) { true } == .retry(after: .seconds(1)))
        #expect(life.answered(answer(429)) { true } == .rateLimited)
        #expect(life.failed(.timeout) == .retry(after: .seconds(2)))
        #expect(life.answered(answer(502)) { true } == .finish)  // the third counted failure
        #expect(life.waited == .seconds(3))
    }

    @Test func postIsRetriedOnlyWhenItNeverLeft() {
        var post = life("POST")
        #expect(post.failed(.connectionRefused) == .retry(after: .seconds(1)))
        #expect(post.failed(.timeout) == .finish)
        var again = life("POST")
        #expect(again.answered(answer(503)) { true } == .finish)
    }

    @Test func aJSONBodyCutShortIsRetriedThenFinalAndMarked() {
        var life = life()
        let cut = answer(200, [("Content-Type", "application/json")], body: #"{"id": 1, "ti"#)
        #expect(life.answered(cut) { false } == .retry(after: .seconds(1)))
        #expect(!life.cutShort)
        #expect(life.answered(cut) { false } == .retry(after: .seconds(2)))
        #expect(life.answered(cut) { false } == .finish)
        #expect(life.cutShort)
        // Not JSON by its own word: a text answer is final at once.
        var text = self.life()
        #expect(text.answered(answer(200, [("Content-Type", "text/html")], body: "<html>")) { false } == .finish)
        #expect(!text.cutShort)
    }
}
