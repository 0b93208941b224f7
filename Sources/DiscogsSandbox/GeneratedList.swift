/// A list the sandbox paginates: its length and a way to build the item at an index, so only the
/// requested page is generated.
struct GeneratedList {
    /// The key of the array in the body (`releases`, `versions`, `wants`, ...).
    let key: String
    let count: Int
    let item: (Int) -> JSONValue
    /// Extra top-level fields placed after `pagination` and the items.
    var extra: [(String, JSONValue)] = []
}
