namespace ShardPack;

/// <summary>The command line is wrong (exit code 2); the message says what to type instead.</summary>
internal sealed class UsageException(string message) : Exception(message);
