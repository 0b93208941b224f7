extension TransportError {
    /// The record's `error.kind`: a refused or invalid connection is a `connection` failure.
    var recordKind: RecordFailure.Kind {
        switch kind {
        case .timeout: .timeout
        case .connection, .connectionRefused, .invalid: .connection
        case .tls: .tls
        case .decode: .decode
        case .cancelled: .cancelled
        }
    }
}
