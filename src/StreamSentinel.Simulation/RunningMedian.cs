namespace StreamSentinel.Simulation;

// The median of everything added so far, in O(log n) per value: the lower half in a max-heap, the upper half in a
// min-heap. A user paid thousands of times would otherwise cost a sort per fraud episode.
internal sealed class RunningMedian
{
    private readonly PriorityQueue<double, double> _lower = new(Comparer<double>.Create((a, b) => b.CompareTo(a)));
    private readonly PriorityQueue<double, double> _upper = new();

    public int Count => _lower.Count + _upper.Count;

    public void Add(double value)
    {
        if (_lower.Count == 0 || value <= _lower.Peek())
        {
            _lower.Enqueue(value, value);
        }
        else
        {
            _upper.Enqueue(value, value);
        }

        // Keep the halves level, the lower one holding the extra value when the count is odd.
        if (_lower.Count > _upper.Count + 1)
        {
            var moved = _lower.Dequeue();
            _upper.Enqueue(moved, moved);
        }
        else if (_upper.Count > _lower.Count)
        {
            var moved = _upper.Dequeue();
            _lower.Enqueue(moved, moved);
        }
    }

    // Of an even count, the mean of the two middle values.
    public double Median() => Count == 0
        ? throw new InvalidOperationException("No values yet")
        : _lower.Count > _upper.Count ? _lower.Peek() : (_lower.Peek() + _upper.Peek()) / 2;
}
