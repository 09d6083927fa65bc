public enum TStateLintVersion {
    public static let current = "0.1.0"
}
