namespace ShardStore.S3;

/// <summary>A bucket and a key prefix in S3-compatible object storage, written <c>s3://bucket/prefix</c>.</summary>
/// <remarks>
/// The prefix is kept without a leading or trailing slash; <see cref="GetKey"/> joins a name under it with one slash.
/// Bucket names follow the S3 rules for new buckets: 3 to 63 characters of lowercase letters, digits, dots and hyphens,
/// beginning and ending with a letter or digit.
/// </remarks>
public sealed class S3Location : IEquatable<S3Location>
{
    /// <summary>The URI scheme and separator every location starts with.</summary>
    public const string Scheme = "s3://";

    private S3Location(string bucket, string prefix)
    {
        Bucket = bucket;
        Prefix = prefix;
    }

    /// <summary>Gets the bucket name.</summary>
    public string Bucket { get; }

    /// <summary>Gets the key prefix without a leading or trailing slash; empty for the whole bucket.</summary>
    public string Prefix { get; }

    /// <summary>Gets whether <paramref name="path"/> starts with <c>s3://</c> (any case) and so names object storage rather than a local path.</summary>
    /// <param name="path">A dataset path or URI.</param>
    /// <returns><see langword="true"/> for an S3 URI, well-formed or not.</returns>
    public static bool IsS3Uri(string? path) => path is not null && path.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase);

    /// <summary>Parses <c>s3://bucket</c> or <c>s3://bucket/prefix</c> (a trailing slash is ignored).</summary>
    /// <param name="uri">The location.</param>
    /// <returns>The parsed location.</returns>
    /// <exception cref="ArgumentException"><paramref name="uri"/> is not an S3 URI, its bucket name is invalid, or its prefix has an empty, "." or ".." segment.</exception>
    public static S3Location Parse(string uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (!IsS3Uri(uri))
        {
            throw new ArgumentException($"'{uri}' is not an S3 location: it must start with s3://, as in s3://bucket/prefix.", nameof(uri));
        }

        var rest = uri[Scheme.Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var bucket = slash < 0 ? rest : rest[..slash];
        var prefix = slash < 0 ? string.Empty : rest[(slash + 1)..];
        if (BucketProblem(bucket) is { } problem)
        {
            throw new ArgumentException($"'{uri}' is not a valid S3 location: {problem}.", nameof(uri));
        }

        prefix = prefix.TrimEnd('/');
        if (prefix.Length > 0)
        {
            foreach (var segment in prefix.Split('/'))
            {
                if (segment.Length == 0 || segment == "." || segment == "..")
                {
                    throw new ArgumentException(
                        $"'{uri}' is not a valid S3 location: the prefix '{prefix}' has an empty, '.' or '..' segment; write it as s3://bucket/a/b.",
                        nameof(uri));
                }
            }
        }

        return new S3Location(bucket, prefix);
    }

    /// <summary>Formats the URI of one object, <c>s3://bucket/key</c>, as error messages name it.</summary>
    /// <param name="bucket">The bucket.</param>
    /// <param name="key">The object key.</param>
    /// <returns>The URI.</returns>
    public static string FormatUri(string bucket, string key) => $"{Scheme}{bucket}/{key}";

    /// <summary>Gets the object key of <paramref name="name"/> under <see cref="Prefix"/>.</summary>
    /// <param name="name">A relative name such as <c>manifest.json</c> or <c>shards/00001.shard</c>; leading slashes are ignored.</param>
    /// <returns>The full object key.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    public string GetKey(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var relative = name.TrimStart('/');
        if (relative.Length == 0)
        {
            throw new ArgumentException($"An object name under {this} must not be empty.", nameof(name));
        }

        return Prefix.Length == 0 ? relative : $"{Prefix}/{relative}";
    }

    /// <summary>Gets the URI of the object <paramref name="name"/> under this location.</summary>
    /// <param name="name">A relative name, as for <see cref="GetKey"/>.</param>
    /// <returns>The URI, <c>s3://bucket/prefix/name</c>.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    public string GetUri(string name) => FormatUri(Bucket, GetKey(name));

    /// <summary>Returns <c>s3://bucket/prefix</c>, or <c>s3://bucket</c> without a prefix.</summary>
    /// <returns>The location as a URI.</returns>
    public override string ToString() => Prefix.Length == 0 ? $"{Scheme}{Bucket}" : $"{Scheme}{Bucket}/{Prefix}";

    /// <inheritdoc/>
    public bool Equals(S3Location? other) =>
        other is not null && string.Equals(Bucket, other.Bucket, StringComparison.Ordinal) && string.Equals(Prefix, other.Prefix, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as S3Location);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(StringComparer.Ordinal.GetHashCode(Bucket), StringComparer.Ordinal.GetHashCode(Prefix));

    private static string? BucketProblem(string bucket)
    {
        if (bucket.Length == 0)
        {
            return "the bucket name is missing";
        }

        if (bucket.Length is < 3 or > 63)
        {
            return $"the bucket name '{bucket}' has {bucket.Length} characters; S3 allows 3 to 63";
        }

        foreach (var c in bucket)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '-'))
            {
                return $"the bucket name '{bucket}' has the character '{c}'; only lowercase letters, digits, '.' and '-' are allowed";
            }
        }

        if (!char.IsAsciiLetterOrDigit(bucket[0]) || !char.IsAsciiLetterOrDigit(bucket[^1]))
        {
            return $"the bucket name '{bucket}' must begin and end with a letter or digit";
        }

        return null;
    }
}
