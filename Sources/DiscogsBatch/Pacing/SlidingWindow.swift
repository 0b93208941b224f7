/// The pure pacing policy: a list of send times and the rule for the next allowed send.
///
/// A send at `t` occupies the budget until `t + window + margin`. A new send is allowed at `s` only
/// when fewer than `budget` sends (own and inferred foreign ones) lie in `(s - span, s]`, so no
/// interval of length `window + margin` ever holds more than `budget` sends. Synchronous and generic
/// over the instant type, so the async governor, tests and a file-backed shared budget can all use it.
public struct SlidingWindow<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    /// The limit set by the job (or tier); the server can only lower the effective one.
    public let configuredLimit: Int
    /// The limit in effect: `configuredLimit`, or less when the server reports a lower `X-Discogs-Ratelimit`.
    public private(set) var limit: Int
    /// Sends per window left for other programs on the same IP.
    public let reserve: Int
    /// The server's window length.
    public let window: Duration
    /// Extra time a send stays counted, for clock skew and latency jitter.
    public let margin: Duration
    /// Instants are kept as nanoseconds since `origin` (the first instant this window saw), so that
    /// its searches and loops compare plain integers: the clock's `Instant` is resilient (a witness
    /// call per copy and comparison) and even `Duration`'s `<` is an opaque call into the standard
    /// library. Nanoseconds keep 292 years either side of the origin, and the clocks count in them.
    private typealias Tick = Int64
    private var origin: Instant?
    private let windowTicks: Tick
    private let spanTicks: Tick
    /// Own sends, ascending. Those before `head` have expired; they are dropped in bulk, so that
    /// forgetting one costs nothing per send.
    private var stamps: [Tick] = []
    /// For each of `stamps`, when the send was granted and the count the server reported with its
    /// answer, if the server is known to have counted it (answered, not refused); nil while it is in
    /// flight or when it was refused.
    private var counted: [(granted: Tick, used: Int?)?] = []
    private var head = 0
    /// Sends inferred from server headers to be someone else's: `observe` stamps them all at one instant.
    private var foreign: (at: Tick, count: Int)?
    /// No send before this instant (after a 429).
    public private(set) var blockedUntil: Instant?
    /// Grants of sends whose response has not come back yet (the server may not have counted them), ascending.
    private var inFlight: [Tick] = []
    /// Stamps of sends the server refused (429), ascending: held here, not counted there.
    private var refusals: [Tick] = []
    /// The longest a send has taken from grant to answer.
    private var slowest: Tick = 0
    /// The number of sends granted whose response has not come back yet.
    public var pending: Int { inFlight.count }

    /// Own sends still counted, ascending.
    public var sends: [Instant] { stamps[head...].map(instant) }
    /// Sends inferred to be someone else's, ascending.
    public var foreignSends: [Instant] { foreign.map { Array(repeating: instant($0.at), count: $0.count) } ?? [] }

    /// A window allowing `limit - reserve` sends per `window + margin`, optionally starting from send
    /// times loaded elsewhere.
    public init(limit: Int, window: Duration, reserve: Int = 0, margin: Duration, sends: [Instant] = []) {
        configuredLimit = limit
        self.limit = limit
        self.reserve = reserve
        self.window = window
        self.margin = margin
        windowTicks = window.nanoseconds
        spanTicks = (window + margin).nanoseconds
        origin = sends.min()
        stamps = sends.sorted().map(tick)
        counted = stamps.map { ($0, nil) }
    }

    /// `instant` in ticks; every mutating entry point calls `anchor` first, so without an origin
    /// nothing is recorded yet and any value compares alike.
    private func tick(_ instant: Instant) -> Tick {
        guard let origin else { return 0 }
        return origin.duration(to: instant).nanoseconds
    }

    private func instant(_ tick: Tick) -> Instant {
        origin.unsafelyUnwrapped.advanced(by: .nanoseconds(tick))
    }

    private mutating func anchor(_ instant: Instant) -> Tick {
        if origin == nil { origin = instant }
        return tick(instant)
    }

    /// The default safety margin: 2% of the window, at least 100 ms (1.2 s for Discogs's 60 s window).
    ///
    /// 100 ms absorbs network latency jitter (a send that arrives late at the server is counted late);
    /// 2% of a long window absorbs a server that counts in whole seconds. Pacing efficiency stays ≥ 98%
    /// for windows of 5 s and more.
    public static func defaultMargin(for window: Duration) -> Duration {
        max(window * 0.02, .milliseconds(100))
    }

    /// How long a send stays counted: `window + margin`.
    public var span: Duration { window + margin }

    /// Sends allowed per span, own and foreign together: `limit - reserve`, at least 1 so that a run
    /// always progresses.
    public var budget: Int { max(1, limit - reserve) }

    /// At most this many own sends per span, set from outside: this process's part of an address
    /// shared with `rate.peers` processes (or its fallback once a shared budget failed).
    public var share: Int?

    /// The part of the budget this process has learnt to keep to while the server's headers show
    /// others using the address (see `adapt`); nil while it is alone.
    public private(set) var fairShare: Double?
    /// The most own sends allowed per span: `budget`, `share` or `fairShare`, whichever is least.
    public var ownLimit: Int {
        min(budget, share ?? .max, fairShare.map { max(1, Int($0)) } ?? .max)
    }

    /// Own and foreign sends still counted at `now`, ascending.
    public func counted(at now: Instant) -> [Instant] {
        let now = tick(now)
        var live = Array(stamps[firstLive(now)...])
        if let foreign = liveForeign(now) {
            live += repeatElement(foreign.at, count: foreign.count)
            live.sort()
        }
        return live.map(instant)
    }

    /// The earliest instant at or after `now` when one more send is allowed. O(log n): no list is built.
    public func earliestSlot(now instantNow: Instant) -> Instant {
        var slot = instantNow
        if let blockedUntil { slot = max(slot, blockedUntil) }
        let now = tick(instantNow)
        let first = firstLive(now)
        let foreign = liveForeign(now)
        let own = stamps.count - first
        if own >= ownLimit { slot = max(slot, instant(stamps[first + own - ownLimit] + spanTicks)) }
        // Sharing: own sends spaced at twice the pace the free room allows, so that they spread over
        // the span and their reports sample every phase of the others' use.
        if fairShare != nil, let last = lastGrant, own > 0 {
            slot = max(slot, instant(last + spanTicks / Tick(2 * max(1, budget - others))))
        }
        let counted = own + (foreign?.count ?? 0)
        guard counted >= budget else { return slot }
        // The send that must expire first: the (counted - budget)th oldest of own and foreign together.
        var k = counted - budget
        if let foreign {
            let olderOwn = Self.partition(stamps, from: first) { $0 > foreign.at } - first
            if k >= olderOwn {
                if k < olderOwn + foreign.count { return max(slot, instant(foreign.at + spanTicks)) }
                k -= foreign.count
            }
        }
        return max(slot, instant(stamps[first + k] + spanTicks))
    }

    /// The index of the first own send still counted at `now`.
    private func firstLive(_ now: Tick) -> Int {
        let cutoff = now - spanTicks
        return Self.partition(stamps, from: head) { cutoff < $0 }
    }

    private func liveForeign(_ now: Tick) -> (at: Tick, count: Int)? {
        guard let foreign, now < foreign.at + spanTicks else { return nil }
        return foreign
    }

    /// The first index at or after `start` whose element satisfies `isAfter`, which must hold for a
    /// suffix of the ascending `list` (binary search).
    private static func partition(_ list: [Tick], from start: Int, by isAfter: (Tick) -> Bool) -> Int {
        var low = start
        var high = list.count
        while low < high {
            let middle = (low + high) / 2
            if isAfter(list[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }

    /// Records an own send at `instant` (normally the slot just granted) and forgets expired ones.
    public mutating func record(at instant: Instant) {
        let instant = anchor(instant)
        record(at: instant, countedFrom: (instant, nil))
    }

    private mutating func record(at instant: Tick, countedFrom granted: (granted: Tick, used: Int?)?) {
        let index = Self.partition(stamps, from: head) { $0 > instant }
        stamps.insert(instant, at: index)
        counted.insert(granted, at: index)
        prune(now: instant)
    }

    /// Moves a send from the instant it was granted to `now`, when its response arrived: the server
    /// counted it somewhere in between, so counting it from the later instant keeps every window safe
    /// however long the request took to reach the server (even past the span, when the grant has
    /// already been forgotten).
    /// `refused`: the server answered 429, so it did not count the send (it still holds budget here).
    /// The count the server reported with the answer comes with `observe(…sentAt: granted…)`.
    public mutating func settle(grantedAt instantGranted: Instant, at instantNow: Instant, refused: Bool = false) {
        let granted = anchor(instantGranted)
        let now = tick(instantNow)
        if let flying = inFlight.firstIndex(of: granted) { inFlight.remove(at: flying) }
        // Its stamp is the grant's, and still uncounted: a send answered at that same instant is another.
        var index = Self.partition(stamps, from: head) { $0 >= granted }
        while index < stamps.count, stamps[index] == granted, counted[index] != nil { index += 1 }
        if index < stamps.count, stamps[index] == granted {
            stamps.remove(at: index)
            counted.remove(at: index)
        }
        record(at: max(now, granted), countedFrom: refused ? nil : (granted, nil))
        slowest = max(slowest, now - granted)
        if refused { refusals.insert(max(now, granted), at: Self.partition(refusals, from: 0) { $0 > max(now, granted) }) }
    }

    /// Records a send granted now that will be settled when its response arrives.
    public mutating func grant(at instant: Instant) {
        let instant = anchor(instant)
        record(at: instant, countedFrom: nil)
        inFlight.insert(instant, at: Self.partition(inFlight, from: 0) { $0 > instant })
        lastGrant = max(lastGrant ?? instant, instant)
    }

    /// Forgets sends no longer counted at `now`, and a block that has passed.
    public mutating func prune(now: Instant) {
        prune(now: anchor(now))
    }

    private mutating func prune(now: Tick) {
        head = firstLive(now)
        if head >= 64, head * 2 >= stamps.count {
            stamps.removeFirst(head)
            counted.removeFirst(head)
            head = 0
        }
        if liveForeign(now) == nil { foreign = nil }
        let cutoff = now - spanTicks
        if let first = refusals.first, !(cutoff < first) { refusals.removeAll { !(cutoff < $0) } }
        if let blockedUntil, blockedUntil <= instant(now) { self.blockedUntil = nil }
    }
    /// Corrects the local view with the server's `X-Discogs-Ratelimit` (`limit`), `-Used` and `-Remaining`,
    /// from the response to the send granted at `sentAt` (nil: a report that counts every send settled so far),
    /// which the server `refused` (429) or counted.
    ///
    /// A server limit below the configured one lowers the budget (and it follows the server back up, never
    /// past the configured limit). What the server has counted beyond our own sends belongs to someone else
    /// on this address: it is recorded as foreign sends at `now`, which hold budget for one more span, so
    /// the governor slows down for the rest of the window.
    ///
    /// Our own part must never be overstated, or the foreign part would be understated and the next
    /// send refused. The server took its count when the request arrived, before sends whose answers
    /// came back meanwhile (answers overtake each other), so only sends answered by the grant at
    /// `sentAt` are certainly in it, and only those granted within the window before `now` (one
    /// answered lately may have reached the server before its window began), plus the send itself
    /// unless it was refused; never sends still in flight or refused. Whatever the server counted of
    /// those shows as foreign until a later report explains it: counted twice for a moment, never
    /// under-counted.
    public mutating func observe(
        limit serverLimit: Int?, used: Int?, remaining: Int?, sentAt instantSentAt: Instant? = nil, refused: Bool = false,
        at instantNow: Instant
    ) {
        let now = anchor(instantNow)
        let sentAt = instantSentAt.map(tick)
        prune(now: now)
        if let serverLimit, serverLimit > 0 { limit = min(configuredLimit, serverLimit) }
        let effectiveServerLimit = serverLimit ?? limit
        guard let remaining = remaining ?? used.map({ effectiveServerLimit - $0 }) else { return }
        let cut = sentAt ?? now
        let reported = used ?? effectiveServerLimit - remaining
        // Within the window before `now`: after `windowStart`.
        let windowStart = now - windowTicks
        // Answered in the window before this send went, less those in flight or refused...
        func answered(_ list: [Tick], from start: Int) -> Int {
            max(0, Self.partition(list, from: start) { $0 > cut } - Self.partition(list, from: start) { windowStart < $0 })
        }
        var own = answered(stamps, from: head) - answered(inFlight, from: 0) - answered(refusals, from: 0)
        // ...and less those granted before the window (only the earliest stamps can be: no send took longer)...
        var index = Self.partition(stamps, from: head) { windowStart < $0 }
        let lastEarly = min(cut, windowStart + slowest)
        while index < stamps.count, stamps[index] <= lastEarly {
            if let send = counted[index], !(windowStart < send.granted) { own -= 1 }
            index += 1
        }
        // ...plus those answered since with a lower count: they reached the server first.
        index = Self.partition(stamps, from: head) { $0 > cut }
        while index < stamps.count {
            if let send = counted[index], let earlier = send.used, earlier < reported, windowStart < send.granted {
                own += 1
            }
            index += 1
        }
        // The send itself, answered at `now`: counted above only when no time has passed since its grant.
        if let sentAt, !refused {
            if now > cut { own += 1 }
            // Keep the count this answer reported with its send, for the reports that come after it.
            var index = Self.partition(stamps, from: head) { $0 >= now }
            while index < stamps.count, stamps[index] == now, counted[index]?.granted != sentAt { index += 1 }
            if index < stamps.count, stamps[index] == now { counted[index]?.used = reported }
        }
        var foreign = effectiveServerLimit - max(0, remaining) - max(0, own)
        // Each report's figure is an upper bound, high by the sends it could not credit to us. Reports
        // that arrived while this send was in flight were taken moments apart, so the smallest of
        // them bounds the other program as well: without it the last answer of a burst (which can
        // credit none of the others) would hold their slots until the next report, a window later.
        if let sentAt {
            reports.removeAll { $0.at < min(sentAt, inFlight.first ?? sentAt) }
            foreign = reports.reduce(foreign) { $1.at >= sentAt ? min($0, $1.foreign) : $0 }
        }
        reports.append((now, effectiveServerLimit - max(0, remaining) - max(0, own)))
        // Restamping at every report keeps them counted for as long as the server keeps reporting them.
        self.foreign = foreign > 0 ? (now, foreign) : nil
        // A part set from outside (`rate.peers`, a failed database's fallback) already divides the budget.
        if learnsFairShare, (share ?? budget) >= budget { adapt(foreign: foreign, now: now) } else { fairShare = nil }
    }

    /// Whether `adapt` runs: on, except in the simulation's comparisons with the behaviour before it,
    /// and while a budget across hosts counts the other processes. It runs only while `share` leaves
    /// the whole budget (no `rate.peers`).
    public var learnsFairShare = true

    /// Sharing the address with processes that do not coordinate with this one.
    ///
    /// While the reports show others' sends (`others`: the most any report gave over the last margin
    /// and slowest answer, for another process may be a moment from sending again what the server
    /// just forgot), this process keeps to `fairShare`, its proportion of the budget: `budget × own /
    /// (own + others)`. While the server is full each process keeps what it has; when room opens
    /// (someone slowed down or finished) each grows in proportion to its use, so that the claims add
    /// up to the room instead of racing for it. Never more than the others leave, never less than a
    /// twentieth of the budget where they leave that much (so that a newcomer can start). Its sends
    /// are spread over the span (see `earliestSlot`), so that its reports sample every phase of the
    /// others' use. With no others' sends in the reports it is alone: its whole budget.
    private mutating func adapt(foreign: Int, now: Tick) {
        let since = now - (spanTicks - windowTicks) - slowest
        // Own sends still in flight may be in the report's figure (see `observe`): not proof of others.
        let foreign = max(0, foreign - inFlight.count)
        peaks.removeAll { !(since < $0.at) || $0.foreign <= foreign }
        peaks.append((now, foreign))
        others = peaks[0].foreign
        // A send or two may show as foreign for a moment (see `observe`): not yet a sign of others.
        guard others >= max(2, budget / 10) else {
            fairShare = nil
            return
        }
        let budget = Double(budget)
        let room = budget - Double(others)
        let own = Double(stamps.count - firstLive(now) - refusals.count)
        let part = max(1, min(room, max(budget * own / max(1, own + Double(others)), budget / 20)))
        // Rounded down, each part leaves its fraction of a free send unclaimed; the process using more
        // than all the others together is the one that can take it without racing anyone for it.
        fairShare = own > Double(others) ? part.rounded(.up) : part
    }

    /// The figures the reports gave for others' sends over the last margin, each below the one before.
    private var peaks: [(at: Tick, foreign: Int)] = []
    /// The most of those: others' sends as this process counts them while it shares.
    private var others = 0
    /// The latest grant, from which the next send is spaced while sharing.
    private var lastGrant: Tick?

    /// The figure each recent report gave for other programs' sends, from the oldest send still in flight on.
    private var reports: [(at: Tick, foreign: Int)] = []

    /// After a 429: no send until `now + retryAfter`, or, without it, until the oldest counted send
    /// expires (a full span when nothing is counted here: someone else filled the server's window).
    public mutating func penalize(retryAfter: Duration?, at now: Instant) {
        prune(now: now)
        let until: Instant
        if let retryAfter {
            until = now.advanced(by: max(.zero, retryAfter))
        } else if let oldest = counted(at: now).first {
            until = oldest.advanced(by: span)
        } else {
            until = now.advanced(by: span)
        }
        blockedUntil = max(blockedUntil ?? until, until)
    }
}
