"""Training loop for an image classifier (labelled for the glue classifier test)."""  # other

from __future__ import annotations  # other

import argparse  # other
import logging  # other
import os  # other
import time  # other

import torch  # other
import torch.nn.functional as F  # other
from torch import nn, optim  # other
from torch.utils.data import DataLoader  # other
from torchvision import datasets, transforms  # other

logger = logging.getLogger(__name__)  # glue


class ConvNet(nn.Module):  # other
    """A small CNN."""  # other

    def __init__(self, num_classes: int = 10) -> None:  # other
        super().__init__()  # other
        self.conv1 = nn.Conv2d(3, 32, kernel_size=3, padding=1)  # algorithm
        self.conv2 = nn.Conv2d(32, 64, kernel_size=3, padding=1)  # algorithm
        self.pool = nn.MaxPool2d(2)  # algorithm
        self.dropout = nn.Dropout(0.25)  # algorithm
        self.fc1 = nn.Linear(64 * 8 * 8, 256)  # algorithm
        self.fc2 = nn.Linear(256, num_classes)  # algorithm

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # other
        x = self.pool(F.relu(self.conv1(x)))  # algorithm
        x = self.pool(F.relu(self.conv2(x)))  # algorithm
        x = torch.flatten(x, 1)  # algorithm
        x = self.dropout(F.relu(self.fc1(x)))  # algorithm
        return self.fc2(x)  # algorithm


def parse_args() -> argparse.Namespace:  # other
    parser = argparse.ArgumentParser(description="Train ConvNet on CIFAR-10")  # glue
    parser.add_argument("--epochs", type=int, default=20)  # glue
    parser.add_argument("--lr", type=float, default=1e-3)  # glue
    parser.add_argument("--batch-size", type=int, default=128)  # glue
    parser.add_argument("--data-dir", default=os.environ.get("DATA_DIR", "data"))  # glue
    parser.add_argument("--out", default="checkpoints")  # glue
    return parser.parse_args()  # glue


def make_loaders(data_dir: str, batch_size: int):  # other
    normalize = transforms.Normalize((0.49, 0.48, 0.45), (0.25, 0.24, 0.26))  # algorithm
    train_tf = transforms.Compose([transforms.RandomCrop(32, padding=4), transforms.ToTensor(), normalize])  # algorithm
    test_tf = transforms.Compose([transforms.ToTensor(), normalize])  # algorithm
    train_set = datasets.CIFAR10(data_dir, train=True, download=True, transform=train_tf)  # glue
    test_set = datasets.CIFAR10(data_dir, train=False, download=True, transform=test_tf)  # glue
    train_loader = DataLoader(train_set, batch_size=batch_size, shuffle=True, num_workers=4)  # glue
    test_loader = DataLoader(test_set, batch_size=batch_size * 2, num_workers=4)  # glue
    return train_loader, test_loader  # other


def train_one_epoch(model, loader, optimizer, device) -> float:  # other
    model.train()  # other
    running_loss = 0.0  # other
    seen = 0  # other
    for images, labels in loader:  # other
        images, labels = images.to(device), labels.to(device)  # glue
        optimizer.zero_grad()  # algorithm
        logits = model(images)  # algorithm
        loss = F.cross_entropy(logits, labels)  # algorithm
        loss.backward()  # algorithm
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)  # algorithm
        optimizer.step()  # algorithm
        running_loss += loss.item() * images.size(0)  # algorithm
        seen += images.size(0)  # algorithm
    return running_loss / seen  # algorithm


@torch.no_grad()
def evaluate(model, loader, device) -> float:  # other
    model.eval()  # other
    correct = 0  # other
    total = 0  # other
    for images, labels in loader:  # other
        images = images.to(device, non_blocking=True)  # other
        labels = labels.to(device, non_blocking=True)  # other
        preds = model(images).argmax(dim=1)  # algorithm
        correct += (preds == labels).sum().item()  # algorithm
        total += labels.numel()  # algorithm
    return correct / total  # algorithm


def main() -> None:  # other
    args = parse_args()  # other
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")  # glue
    torch.manual_seed(0)  # glue
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")  # glue
    train_loader, test_loader = make_loaders(args.data_dir, args.batch_size)  # other
    model = ConvNet().to(device)  # algorithm
    optimizer = optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.05)  # algorithm
    scheduler = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs)  # algorithm
    os.makedirs(args.out, exist_ok=True)  # glue
    best = 0.0  # other
    for epoch in range(args.epochs):  # other
        start = time.time()  # glue
        loss = train_one_epoch(model, train_loader, optimizer, device)  # other
        acc = evaluate(model, test_loader, device)  # other
        scheduler.step()  # algorithm
        logger.info("epoch %d loss %.4f acc %.4f (%.1fs)", epoch, loss, acc, time.time() - start)  # glue
        if acc > best:  # other
            best = acc  # glue
            torch.save(model.state_dict(), os.path.join(args.out, "best.pt"))  # glue
    print(f"best accuracy: {best:.4f}")  # glue


if __name__ == "__main__":  # other
    main()  # other
