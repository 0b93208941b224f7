import NIOCore

/// Encoded release bodies, keyed by id and by whether image URIs are filled in. Generating a
/// release costs far more than serving it, so the hot path of `/releases/{id}` is a lookup.
/// First-in first-out eviction keeps it within `capacity` entries and `maxBytes` bytes.
final class ReleaseCache: Sendable {
    private struct State {
        var entries: [Int: ByteBuffer] = [:]
        var order: [Int] = []
        var head = 0
        var bytes = 0
    }

    let capacity: Int
    let maxBytes: Int
    private let state = Locked(State())

    init(capacity: Int = 4096, maxBytes: Int = 64 << 20) {
        self.capacity = capacity
        self.maxBytes = maxBytes
    }

    func body(id: Int, authenticated: Bool, make: () -> ByteBuffer?) -> ByteBuffer? {
        let key = authenticated ? -id : id
        if let hit = state.withLock({ $0.entries[key] }) { return hit }
        guard let made = make() else { return nil }
        state.withLock { state in
            guard state.entries.updateValue(made, forKey: key) == nil else { return }
            state.order.append(key)
            state.bytes += made.readableBytes
            while state.entries.count > capacity || (state.bytes > maxBytes && state.entries.count > 1) {
                if let evicted = state.entries.removeValue(forKey: state.order[state.head]) {
                    state.bytes -= evicted.readableBytes
                }
                state.head += 1
            }
            if state.head > capacity {
                state.order.removeFirst(state.head)
                state.head = 0
            }
        }
        return made
    }

    var count: Int { state.withLock { $0.entries.count } }
    var bytes: Int { state.withLock { $0.bytes } }
}
