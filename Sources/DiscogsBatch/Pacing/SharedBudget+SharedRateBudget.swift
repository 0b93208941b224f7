import Foundation

/// The machine's budget file as the governor's shared budget. A failure of the file leaves the
/// process pacing alone at its full budget, as it would without the file.
extension SharedBudget: SharedRateBudget {
    public func reserveSend() async throws -> Reservation { try reserve() }
    public func settleSend(granted stamp: Int64) { settle(granted: stamp) }
    public func flushSends() async throws { try flush() }
    public var fallbackBudget: Int? { nil }
}
