# Real code for the glue classifier's labelled set (issue 13): CLIP (MIT),
# clip/clip.py lines 1-240 at d05afc436d78; labels by hand. Multi-line docstrings
# are cut to their first line and backslash continuations joined: one statement a line.
"""CLIP: clip/clip.py (labelled)."""  # other
import hashlib  # other
import os  # other
import urllib  # other
import warnings  # other
from packaging import version  # other
from typing import Union, List  # other

import torch  # other
from PIL import Image  # other
from torchvision.transforms import Compose, Resize, CenterCrop, ToTensor, Normalize  # other
from tqdm import tqdm  # other

from .model import build_model  # other
from .simple_tokenizer import SimpleTokenizer as _Tokenizer  # other

try:  # other
    from torchvision.transforms import InterpolationMode  # other
    BICUBIC = InterpolationMode.BICUBIC  # other
except ImportError:
    BICUBIC = Image.BICUBIC  # other


if version.parse(torch.__version__) < version.parse("1.7.1"):  # other
    warnings.warn("PyTorch version 1.7.1 or higher is recommended")  # glue


__all__ = ["available_models", "load", "tokenize"]  # other
_tokenizer = _Tokenizer()  # other

_MODELS = {  # other
    "RN50": "https://openaipublic.azureedge.net/clip/models/afeb0e10f9e5a86da6080e35cf09123aca3b358a0c3e3b6c78a7b63bc04b6762/RN50.pt",
    "RN101": "https://openaipublic.azureedge.net/clip/models/8fa8567bab74a42d41c5915025a8e4538c3bdbe8804a470a72f30b0d94fab599/RN101.pt",
    "RN50x4": "https://openaipublic.azureedge.net/clip/models/7e526bd135e493cef0776de27d5f42653e6b4c8bf9e0f653bb11773263205fdd/RN50x4.pt",
    "RN50x16": "https://openaipublic.azureedge.net/clip/models/52378b407f34354e150460fe41077663dd5b39c54cd0bfd2b27167a4a06ec9aa/RN50x16.pt",
    "RN50x64": "https://openaipublic.azureedge.net/clip/models/be1cfb55d75a9666199fb2206c106743da0f6468c9d327f3e0d0a543a9919d9c/RN50x64.pt",
    "ViT-B/32": "https://openaipublic.azureedge.net/clip/models/40d365715913c9da98579312b702a82c18be219cc2a73407c4526f58eba950af/ViT-B-32.pt",
    "ViT-B/16": "https://openaipublic.azureedge.net/clip/models/5806e77cd80f8b59890b7e101eabd078d9fb84e6937f9e85e4ecb61988df416f/ViT-B-16.pt",
    "ViT-L/14": "https://openaipublic.azureedge.net/clip/models/b8cca3fd41ae0c99ba7e8951adf17d267cdb84cd88be6f7c2e0eca1737a03836/ViT-L-14.pt",
    "ViT-L/14@336px": "https://openaipublic.azureedge.net/clip/models/3035c92b350959924f9f00213499208652fc7ea050643e8b385c2dac08641f02/ViT-L-14-336px.pt",
}


def _download(url: str, root: str):  # other
    os.makedirs(root, exist_ok=True)  # glue
    filename = os.path.basename(url)  # glue

    expected_sha256 = url.split("/")[-2]  # glue
    download_target = os.path.join(root, filename)  # glue

    if os.path.exists(download_target) and not os.path.isfile(download_target):  # glue
        raise RuntimeError(f"{download_target} exists and is not a regular file")  # other

    if os.path.isfile(download_target):  # glue
        if hashlib.sha256(open(download_target, "rb").read()).hexdigest() == expected_sha256:  # glue
            return download_target  # other
        else:
            warnings.warn(f"{download_target} exists, but the SHA256 checksum does not match; re-downloading the file")  # glue

    with urllib.request.urlopen(url) as source, open(download_target, "wb") as output:  # glue
        with tqdm(total=int(source.info().get("Content-Length")), ncols=80, unit='iB', unit_scale=True, unit_divisor=1024) as loop:  # glue
            while True:  # other
                buffer = source.read(8192)  # glue
                if not buffer:  # other
                    break  # other

                output.write(buffer)  # glue
                loop.update(len(buffer))  # glue

    if hashlib.sha256(open(download_target, "rb").read()).hexdigest() != expected_sha256:  # glue
        raise RuntimeError("Model has been downloaded but the SHA256 checksum does not not match")  # other

    return download_target  # other


def _convert_image_to_rgb(image):  # other
    return image.convert("RGB")  # glue


def _transform(n_px):  # other
    return Compose([  # algorithm
        Resize(n_px, interpolation=BICUBIC),
        CenterCrop(n_px),
        _convert_image_to_rgb,
        ToTensor(),
        Normalize((0.48145466, 0.4578275, 0.40821073), (0.26862954, 0.26130258, 0.27577711)),
    ])


def available_models() -> List[str]:  # other
    """Returns the names of available CLIP models"""  # other
    return list(_MODELS.keys())  # glue


def load(name: str, device: Union[str, torch.device] = "cuda" if torch.cuda.is_available() else "cpu", jit: bool = False, download_root: str = None):  # other
    """Load a CLIP model [...]"""  # other
    if name in _MODELS:  # other
        model_path = _download(_MODELS[name], download_root or os.path.expanduser("~/.cache/clip"))  # glue
    elif os.path.isfile(name):  # glue
        model_path = name  # glue
    else:
        raise RuntimeError(f"Model {name} not found; available models = {available_models()}")  # other

    with open(model_path, 'rb') as opened_file:  # glue
        try:  # other
            # loading JIT archive
            model = torch.jit.load(opened_file, map_location=device if jit else "cpu").eval()  # glue
            state_dict = None  # other
        except RuntimeError:
            # loading saved state dict
            if jit:  # other
                warnings.warn(f"File {model_path} is not a JIT archive. Loading as a state dict instead")  # glue
                jit = False  # other
            state_dict = torch.load(opened_file, map_location="cpu")  # glue

    if not jit:  # other
        model = build_model(state_dict or model.state_dict()).to(device)  # algorithm
        if str(device) == "cpu":  # other
            model.float()  # other
        return model, _transform(model.visual.input_resolution)  # other

    # patch the device names
    device_holder = torch.jit.trace(lambda: torch.ones([]).to(torch.device(device)), example_inputs=[])  # glue
    device_node = [n for n in device_holder.graph.findAllNodes("prim::Constant") if "Device" in repr(n)][-1]  # glue

    def _node_get(node: torch._C.Node, key: str):  # other
        """Gets attributes of a node which is polymorphic over return type. [...]"""  # other
        sel = node.kindOf(key)  # glue
        return getattr(node, sel)(key)  # glue

    def patch_device(module):  # other
        try:  # other
            graphs = [module.graph] if hasattr(module, "graph") else []  # glue
        except RuntimeError:
            graphs = []  # other

        if hasattr(module, "forward1"):  # other
            graphs.append(module.forward1.graph)  # glue

        for graph in graphs:  # other
            for node in graph.findAllNodes("prim::Constant"):  # other
                if "value" in node.attributeNames() and str(_node_get(node, "value")).startswith("cuda"):  # glue
                    node.copyAttributes(device_node)  # glue

    model.apply(patch_device)  # glue
    patch_device(model.encode_image)  # glue
    patch_device(model.encode_text)  # glue

    # patch dtype to float32 on CPU
    if str(device) == "cpu":  # other
        float_holder = torch.jit.trace(lambda: torch.ones([]).float(), example_inputs=[])  # glue
        float_input = list(float_holder.graph.findNode("aten::to").inputs())[1]  # glue
        float_node = float_input.node()  # glue

        def patch_float(module):  # other
            try:  # other
                graphs = [module.graph] if hasattr(module, "graph") else []  # glue
            except RuntimeError:
                graphs = []  # other

            if hasattr(module, "forward1"):  # other
                graphs.append(module.forward1.graph)  # glue

            for graph in graphs:  # other
                for node in graph.findAllNodes("aten::to"):  # other
                    inputs = list(node.inputs())  # glue
                    for i in [1, 2]:  # dtype can be the second or third argument to aten::to()  # other
                        if _node_get(inputs[i].node(), "value") == 5:  # glue
                            inputs[i].node().copyAttributes(float_node)  # glue

        model.apply(patch_float)  # glue
        patch_float(model.encode_image)  # glue
        patch_float(model.encode_text)  # glue

        model.float()  # other

    return model, _transform(model.input_resolution.item())  # glue


def tokenize(texts: Union[str, List[str]], context_length: int = 77, truncate: bool = False) -> Union[torch.IntTensor, torch.LongTensor]:  # other
    """(docstring) [...]"""  # other
    if isinstance(texts, str):  # other
        texts = [texts]  # glue

    sot_token = _tokenizer.encoder["<|startoftext|>"]  # glue
    eot_token = _tokenizer.encoder["<|endoftext|>"]  # glue
    all_tokens = [[sot_token] + _tokenizer.encode(text) + [eot_token] for text in texts]  # glue
    if version.parse(torch.__version__) < version.parse("1.8.0"):  # other
        result = torch.zeros(len(all_tokens), context_length, dtype=torch.long)  # algorithm
    else:
        result = torch.zeros(len(all_tokens), context_length, dtype=torch.int)  # algorithm

    for i, tokens in enumerate(all_tokens):  # other
        if len(tokens) > context_length:  # other
            if truncate:  # other
                tokens = tokens[:context_length]  # glue
                tokens[-1] = eot_token  # glue
