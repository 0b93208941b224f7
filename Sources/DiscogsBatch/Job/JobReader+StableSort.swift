/// Paginated lists that Discogs can sort, and a sort that keeps a walk stable: items added while the
/// list is paged go to its end instead of pushing earlier items onto pages already read.
extension JobReader {
    /// The stable sort to suggest for a path (a template's source, `{var}` segments included); nil
    /// when the list has no documented sort.
    static func stableSort(path: String) -> String? {
        let s = path.split(separator: "/").map(String.init)
        switch (s.count, s.first, s.last) {
        case (3, "artists", "releases"): return "sort: year, sort_order: asc"
        case (3, "masters", "versions"): return "sort: released, sort_order: asc"
        case (3, "users", "inventory"): return "sort: listed, sort_order: asc"
        case (6, "users", "releases") where s[2] == "collection" && s[3] == "folders": return "sort: added, sort_order: asc"
        case (2, "marketplace", "orders"): return "sort: id, sort_order: asc"
        default: return nil
        }
    }
}
