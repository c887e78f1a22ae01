package com.example;

import io.kiln.runtime.train.Adam;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/** Trains the ring classifier, saves it, loads it back and predicts. */
public final class Main {
  public static void main(String[] args) throws Exception {
    Random random = new Random(1);
    KilnRingClassifier model = KilnRingClassifier.create(1);
    Adam adam = new Adam(0.01f);
    float[] points = new float[64 * 2];
    int[] inside = new int[64];
    float loss = 0;
    for (int step = 0; step < 800; step++) {
      for (int i = 0; i < 64; i++) {
        float x = random.nextFloat() * 3 - 1.5f;
        float y = random.nextFloat() * 3 - 1.5f;
        points[2 * i] = x;
        points[2 * i + 1] = y;
        inside[i] = x * x + y * y < 1 ? 1 : 0;
      }
      loss = model.trainStep(points, inside, adam);
    }
    System.out.println("trained: loss " + loss + " after " + model.steps() + " steps");

    Path file = Files.createTempFile("ring", ".safetensors");
    model.save(file);
    KilnRingClassifier loaded = KilnRingClassifier.load(file);
    Files.delete(file);

    int[] classes = loaded.classify(new float[] {0f, 0f, 1.4f, 1.4f});
    System.out.println("center inside: " + (classes[0] == 1) + ", corner inside: " + (classes[1] == 1));
  }
}
