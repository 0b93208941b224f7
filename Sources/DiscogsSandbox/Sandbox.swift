public enum DiscogsSandboxPlaceholder {}
