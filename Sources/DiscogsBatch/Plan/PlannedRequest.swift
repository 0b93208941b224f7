/// One request of an expanded plan: what to send, before credentials are added.
public struct PlannedRequest: Sendable {
    /// Stable identity of the request and its vars (`release/release_id=249504`); pages and items extend it.
    public var key: String
    /// Index of the request in the job's `requests`.
    public var requestIndex: Int
    public var name: String
    /// The foreach values, in the order the keys were written.
    public var vars: [(name: String, value: String)]
    public var method: HTTPMethod
    /// Full URL with the query, without credentials.
    public var url: String
    public var headers: [(name: String, value: String)]
    /// JSON body text for POST and PUT.
    public var body: String?
    public var paginate: Pagination?
    public var items: String?
}
