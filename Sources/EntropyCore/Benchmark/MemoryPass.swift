/// One pass of memory bandwidth, for the benchmarks' floors.
package enum MemoryPass {
  /// Stores `value` into every element of `buffer`, split over every core
  /// as the random fills are (`RandomFill`): the time of a fill that did
  /// no arithmetic.
  package static func store(_ value: Double, into buffer: UnsafeMutableBufferPointer<Double>) {
    let out = SharedMutableBuffer(buffer: buffer)
    RandomFill.forEachRange(count: buffer.count) { range in
      for i in range { out.buffer[i] = value }
    }
  }
}
