using System.Text;
using Microsoft.Win32.SafeHandles;

namespace ShardPack.Importers.Internals;

/// <summary>
/// The text of one record of a UTF-8 file, read with a positioned read and decoded as the streaming readers decode it
/// (invalid bytes become U+FFFD), served as a <see cref="TextReader"/> so that the format's own parser reads it. The
/// byte and character buffers are reused and grow only to the longest record read.
/// </summary>
internal sealed class RecordText : TextReader
{
    private readonly SafeFileHandle _handle;
    private readonly string _path;
    private byte[] _bytes = new byte[4096];
    private char[] _chars = new char[4096];
    private int _length;
    private int _position;

    /// <summary>Reads records of the file behind <paramref name="handle"/>; <paramref name="path"/> names it in errors.</summary>
    public RecordText(SafeFileHandle handle, string path)
    {
        _handle = handle;
        _path = path;
    }

    /// <summary>Makes the <paramref name="length"/> bytes at <paramref name="offset"/> the text this reader serves, from its start.</summary>
    /// <exception cref="InvalidDataException">The file ended before them (it shrank since the first pass).</exception>
    public void Load(long offset, int length, long line)
    {
        if (_bytes.Length < length)
        {
            _bytes = new byte[Math.Max(length, (int)Math.Min(Array.MaxLength, _bytes.Length * 2L))];
        }

        Span<byte> bytes = _bytes.AsSpan(0, length);
        int read = 0;
        for (int n; read < length && (n = RandomAccess.Read(_handle, bytes[read..], offset + read)) > 0;)
        {
            read += n;
        }

        if (read < length)
        {
            throw DataErrors.Create("the file ended early; was it changed while packing?", _path, line: line, byteOffset: offset + read);
        }

        int chars = Encoding.UTF8.GetCharCount(bytes);
        if (_chars.Length < chars)
        {
            _chars = new char[Math.Max(chars, (int)Math.Min(Array.MaxLength, _chars.Length * 2L))];
        }

        _length = Encoding.UTF8.GetChars(bytes, _chars);
        _position = 0;
    }

    /// <inheritdoc />
    public override int Peek() => _position < _length ? _chars[_position] : -1;

    /// <inheritdoc />
    public override int Read() => _position < _length ? _chars[_position++] : -1;

    /// <inheritdoc />
    public override int Read(char[] buffer, int index, int count) => Read(buffer.AsSpan(index, count));

    /// <inheritdoc />
    public override int Read(Span<char> buffer)
    {
        int n = Math.Min(buffer.Length, _length - _position);
        _chars.AsSpan(_position, n).CopyTo(buffer);
        _position += n;
        return n;
    }
}
