import NIOCore

/// Encoded release bodies, keyed by id and by whether image URIs are filled in. Generating a
/// release costs far more than serving it, so the hot path of `/releases/{id}` is a lookup.
/// First-in first-out eviction keeps it bounded.
final class ReleaseCache: Sendable {
    private struct State {
        var entries: [Int: ByteBuffer] = [:]
        var order: [Int] = []
        var head = 0
    }

    let capacity: Int
    private let state = Locked(State())

    init(capacity: Int = 4096) {
        self.capacity = capacity
    }

    func body(id: Int, authenticated: Bool, make: () -> ByteBuffer?) -> ByteBuffer? {
        let key = authenticated ? -id : id
        if let hit = state.withLock({ $0.entries[key] }) { return hit }
        guard let made = make() else { return nil }
        state.withLock { state in
            guard state.entries.updateValue(made, forKey: key) == nil else { return }
            state.order.append(key)
            if state.entries.count > capacity {
                state.entries[state.order[state.head]] = nil
                state.head += 1
                if state.head > capacity {
                    state.order.removeFirst(state.head)
                    state.head = 0
                }
            }
        }
        return made
    }
}
