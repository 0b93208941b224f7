import Foundation
import Logging

extension RateGovernor {
    /// The governor of a run of `job` with the credential whose fingerprint is `fingerprint`: its
    /// budget from `rate`, shared through the PostgreSQL database of `rate.shared` (or
    /// `DISCOGS_BATCH_BUDGET_URL`), else through this machine's budget file when `rate.shared` is not
    /// false. Without a database each process keeps to `limit / rate.peers`.
    public init(clock: C, job: Job, fingerprint: String, environment: [String: String], logger: Logger) {
        let rate = job.rate
        let limit = rate.limit ?? rate.effectiveTier(for: job.auth.mode).limit
        let budget = rate.budget(for: job.auth.mode)
        let span = rate.window + SlidingWindow<C.Instant>.defaultMargin(for: rate.window)
        var shared: (any SharedRateBudget)?
        let share = max(1, budget / rate.peers)
        if let url = Self.budgetURL(rate, environment: environment, logger: logger) {
            shared = PostgresBudget(
                url: url, key: Self.budgetKey(rate, baseURL: job.baseURL, fingerprint: fingerprint), budget: budget,
                span: span, fallbackBudget: share, logger: logger)
        } else if rate.shared {
            do {
                shared = try SharedBudget(
                    folder: SharedBudget.folder(environment: environment), fingerprint: fingerprint, budget: budget,
                    span: span, logger: logger)
            } catch {
                logger.warning(
                    "the shared rate budget cannot be used (\(error)); pacing this process alone at its full budget (other processes on this machine are not counted)")
            }
        }
        self.init(
            clock: clock, limit: limit, window: rate.window, reserve: rate.reserve, shared: shared,
            share: shared is PostgresBudget || rate.peers == 1 ? nil : share)
    }

    /// The job's database, else `DISCOGS_BATCH_BUDGET_URL` unless the job says `shared: false`. A bad
    /// URL in the environment is a warning (the run goes on with the machine's budget), password masked.
    static func budgetURL(_ rate: RateSettings, environment: [String: String], logger: Logger) -> BudgetURL? {
        if let url = rate.sharedURL { return url }
        guard rate.shared, let text = environment["DISCOGS_BATCH_BUDGET_URL"], !text.isEmpty else { return nil }
        do throws(BudgetURL.Failure) {
            return try BudgetURL(text)
        } catch {
            logger.warning("DISCOGS_BATCH_BUDGET_URL: \(error); using this machine's rate budget")
            return nil
        }
    }

    /// `GROUP/FINGERPRINT`: the group (`rate.group`, else the base URL's host) and the credential's
    /// fingerprint, which reveals no secret.
    static func budgetKey(_ rate: RateSettings, baseURL: String, fingerprint: String) -> String {
        let group = rate.group ?? URLComponents(string: baseURL)?.host ?? baseURL
        return "\(group)/\(fingerprint)"
    }
}
