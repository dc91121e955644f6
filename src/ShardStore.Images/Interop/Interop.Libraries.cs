namespace ShardStore.Images.Interop;

internal static partial class Interop
{
    /// <summary>Logical library names used in <c>[LibraryImport]</c>; <c>NativeLibraryResolver</c> maps them to platform file names.</summary>
    internal static class Libraries
    {
        internal const string TurboJpeg = "libturbojpeg";
        internal const string Spng = "libspng";
    }
}
