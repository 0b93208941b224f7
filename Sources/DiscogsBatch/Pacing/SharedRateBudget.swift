import Foundation

/// A sliding-window budget that this process shares with others: the file of one machine
/// (`SharedBudget`) or a PostgreSQL database for processes on many hosts (`PostgresBudget`).
///
/// The `RateGovernor` asks it for each send after its own window allowed it, one call at a time,
/// passing `now`: the governor's clock placed on the calendar (stamps must compare across processes).
/// A failure is logged once by the budget itself, saying what the process does instead.
/// When `reserveSend` throws, the governor stops using it for the rest of the run and paces alone,
/// at most `fallbackBudget` sends per span when that is set (its own window's budget otherwise).
public protocol SharedRateBudget: Sendable {
    /// Takes one send now, or says how long to wait before asking again.
    func reserveSend(now: Date) async throws -> SharedBudget.Reservation
    /// Counts the send granted as `stamp` from now on, when its response came back (buffered: written
    /// with the next reservation or by `flushSends`).
    func settleSend(granted stamp: Int64, now: Date)
    /// Writes what is still buffered and lets go of any connection (at the end of a run).
    func flushSends(now: Date) async throws
    /// The sends per span this process may make alone once the shared budget has failed.
    var fallbackBudget: Int? { get }
    /// Whether the processes on other hosts draw from it too (a database): then the other sends the
    /// rate-limit headers show are theirs, already counted, and this process need not learn a share
    /// of the address from them (`SlidingWindow.learnsFairShare`) until the budget fails.
    var spansHosts: Bool { get }
}
