@testable import DiscogsBatch

extension JSONScanner {
    /// `document()` by the recursive walker that the other functions use: the reference that the tests
    /// hold `validate` (JSONScanner+Document) to.
    func documentByWalking() -> Range<Int>? {
        walk { $0.document() }
    }
}
