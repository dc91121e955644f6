using System.Text;

namespace ShardStore.Testing.Infrastructure;

/// <summary>The lines a child process writes to one of its streams, collected from the runtime's reader threads.</summary>
internal sealed class CapturedLines
{
    // Guarded by itself.
    private readonly StringBuilder _text = new();

    /// <summary>Appends a line (ignoring the null that ends the stream).</summary>
    public void Append(string? line)
    {
        if (line is not null)
        {
            lock (_text)
            {
                _text.Append(line).Append('\n');
            }
        }
    }

    /// <summary>Gets the lines so far, each ended by a newline.</summary>
    public string Text
    {
        get
        {
            lock (_text)
            {
                return _text.ToString();
            }
        }
    }
}
