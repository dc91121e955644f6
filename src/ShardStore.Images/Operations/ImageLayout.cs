namespace ShardStore.Images.Operations;

/// <summary>The order of the elements of one output image.</summary>
public enum ImageLayout
{
    /// <summary>Channel, row, column: each channel is a plane (a batch of these is NCHW, PyTorch's order).</summary>
    Chw = 0,

    /// <summary>Row, column, channel: the channels of a pixel are adjacent (a batch of these is NHWC, TensorFlow's order).</summary>
    Hwc = 1,
}
